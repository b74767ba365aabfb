// About 500 IoT sensors of デモ市 as FIWARE Smart Data Models entities:
// weather stations and rain gauges (WeatherObserved), air quality
// (AirQualityObserved), river level and flow (WaterObserved), flood gauges
// (FloodMonitoring), noise (NoiseLevelObserved), parking spots
// (ParkingSpot), traffic counters (TrafficFlowObserved), people counters
// (CrowdFlowObserved), bike sharing docks (BikeHireDockingStation), EV
// chargers (EVChargingStation), streetlights (Streetlight) and waste
// containers (WasteContainer). Their readings are in readings.h.
#pragma once

#include <vector>

#include "sim/places.h"
#include "sim/transport.h"

namespace machi::sim {

enum class SensorKind {
  kWeather,
  kRainGauge,
  kAirQuality,
  kRiverFlow,
  kFloodGauge,
  kNoise,
  kParking,
  kTraffic,
  kCrowd,
  kBikeDock,
  kEvCharger,
  kStreetlight,
  kWasteContainer,
};

// Where a parking spot, dock or people counter is: it sets its daily rhythm.
enum class Site { kStation, kShop, kPark, kCivic, kResidential, kRoad };

struct Sensor {
  Place place;                 // its type is the Smart Data Model's
  SensorKind kind = SensorKind::kWeather;
  Site site = Site::kResidential;
  double load = 1;             // relative busyness: road class, station size ...
  int capacity = 0;            // docks, charging points
  int river_position = 0;      // 0 upstream ... for river gauges
};

std::vector<Sensor> make_sensors(const CityLayout& layout, PlaceMaker& maker, Rng& rng, const std::vector<Place>& facilities,
                                 const Transport& transport);

}  // namespace machi::sim
