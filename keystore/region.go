package keystore

import "strings"

// Region is the Iterable data centre a project lives in.
type Region string

const (
	RegionUS Region = "us"
	RegionEU Region = "eu"
)

// Regions lists the regions iwb knows, in the order they are offered.
var Regions = []Region{RegionUS, RegionEU}

// ParseRegion reads a region name as a user types it (any case).
func ParseRegion(s string) (Region, error) {
	r := Region(strings.ToLower(strings.TrimSpace(s)))
	for _, known := range Regions {
		if r == known {
			return r, nil
		}
	}
	return "", invalidf("unknown region %q: use us or eu", s)
}

// BaseURL is the API host of the region.
func (r Region) BaseURL() string {
	if r == RegionEU {
		return "https://api.eu.iterable.com"
	}
	return "https://api.iterable.com"
}
