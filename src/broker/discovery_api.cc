// Discovery: /types, /types/{type}, /attributes, /attributes/{attr} (clause 5.7.5-5.7.10).
#include <random>

#include "broker/broker.h"
#include "core/error.h"

namespace machi::broker {
namespace {

const std::string kBase = "/ngsi-ld/v1";

std::string random_urn(const char* kind) {
  static thread_local std::mt19937_64 rng{std::random_device{}()};
  char buf[20];
  std::snprintf(buf, sizeof buf, "%016llx", static_cast<unsigned long long>(rng()));
  return std::string("urn:ngsi-ld:") + kind + ":" + buf;
}

bool details(const http::Request& request) {
  const std::string* d = request.param("details");
  return d && *d == "true";
}

Json compact_all(const ld::Context& ctx, const std::vector<std::string>& iris) {
  Json out = Json::array();
  for (const auto& iri : iris) out.push_back(ctx.compact(iri));
  return out;
}

http::Response list_types(http::Request& request, BrokerDeps deps) {
  LdRequest ld(request, deps, false);
  auto types = ld.tenant_for_read()->types();
  const ld::Context& ctx = ld.context();
  if (details(request)) {
    Json out = Json::array();
    for (const auto& info : types) {
      out.push_back({{"id", info.type}, {"type", "EntityType"}, {"typeName", ctx.compact(info.type)},
                     {"attributeNames", compact_all(ctx, info.attrs)}});
    }
    return ld.json_response(200, out);
  }
  Json names = Json::array();
  for (const auto& info : types) names.push_back(ctx.compact(info.type));
  return ld.json_response(200, {{"id", random_urn("EntityTypeList")}, {"type", "EntityTypeList"}, {"typeList", names}});
}

http::Response type_info(http::Request& request, BrokerDeps deps) {
  LdRequest ld(request, deps, false);
  const ld::Context& ctx = ld.context();
  std::string wanted = ctx.expand(request.path_params["type"]);
  auto types = ld.tenant_for_read()->types();
  auto attributes = ld.tenant_for_read()->attributes();
  for (const auto& info : types) {
    if (info.type != wanted) continue;
    Json details = Json::array();
    for (const auto& attr : info.attrs) {
      Json attribute_types = Json::array();
      for (const auto& a : attributes) {
        if (a.attr == attr) attribute_types = a.attribute_types;
      }
      details.push_back({{"id", attr}, {"type", "Attribute"}, {"attributeName", ctx.compact(attr)},
                         {"attributeTypes", attribute_types}});
    }
    return ld.json_response(200, {{"id", info.type}, {"type", "EntityTypeInfo"}, {"typeName", ctx.compact(info.type)},
                                   {"entityCount", info.entity_count}, {"attributeDetails", details}});
  }
  throw Error(ErrorType::kResourceNotFound, "no entities of type " + request.path_params["type"]);
}

http::Response list_attributes(http::Request& request, BrokerDeps deps) {
  LdRequest ld(request, deps, false);
  auto attributes = ld.tenant_for_read()->attributes();
  const ld::Context& ctx = ld.context();
  if (details(request)) {
    Json out = Json::array();
    for (const auto& info : attributes) {
      out.push_back({{"id", info.attr}, {"type", "Attribute"}, {"attributeName", ctx.compact(info.attr)},
                     {"typeNames", compact_all(ctx, info.types)}});
    }
    return ld.json_response(200, out);
  }
  Json names = Json::array();
  for (const auto& info : attributes) names.push_back(ctx.compact(info.attr));
  return ld.json_response(200,
                          {{"id", random_urn("AttributeList")}, {"type", "AttributeList"}, {"attributeList", names}});
}

http::Response attribute_info(http::Request& request, BrokerDeps deps) {
  LdRequest ld(request, deps, false);
  const ld::Context& ctx = ld.context();
  std::string wanted = ctx.expand(request.path_params["attr"]);
  for (const auto& info : ld.tenant_for_read()->attributes()) {
    if (info.attr != wanted) continue;
    return ld.json_response(200, {{"id", info.attr}, {"type", "Attribute"}, {"attributeName", ctx.compact(info.attr)},
                                  {"attributeCount", info.entity_count}, {"attributeTypes", info.attribute_types},
                                  {"typeNames", compact_all(ctx, info.types)}});
  }
  throw Error(ErrorType::kResourceNotFound, "no attribute " + request.path_params["attr"]);
}

}  // namespace

void register_discovery_routes(http::Router& router, BrokerDeps deps) {
  router.add("GET", kBase + "/types", [deps](http::Request& r) { return list_types(r, deps); });
  router.add("GET", kBase + "/types/{type}", [deps](http::Request& r) { return type_info(r, deps); });
  router.add("GET", kBase + "/attributes", [deps](http::Request& r) { return list_attributes(r, deps); });
  router.add("GET", kBase + "/attributes/{attr}", [deps](http::Request& r) { return attribute_info(r, deps); });
}

}  // namespace machi::broker
