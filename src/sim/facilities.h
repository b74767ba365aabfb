// Public and private facilities of デモ市: schools, evacuation shelters,
// clinics, care facilities, parks and shops.
#pragma once

#include <vector>

#include "sim/places.h"

namespace machi::sim {

// Places of type School, EvacuationShelter, Clinic, CareFacility, Park and
// Shop, each inside the city with a Japanese name and address.
std::vector<Place> make_facilities(const CityLayout& layout, PlaceMaker& maker, Rng& rng);

}  // namespace machi::sim
