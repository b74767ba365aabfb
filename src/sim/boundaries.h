// The administrative geography as entities: the Municipality (デモ市), its
// elementary-school districts (District, 小学校区) and 町丁目 (TownArea),
// with population and households counted from the synthetic residents.
#pragma once

#include <vector>

#include "core/json.h"
#include "sim/city_layout.h"
#include "sim/residents.h"

namespace machi::sim {

std::vector<Json> boundary_entities(const CityLayout& layout, const Population& population);

}  // namespace machi::sim
