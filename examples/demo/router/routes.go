// Package router is the demo system's weighted reverse proxy: it stands in front of the
// instances of one service and moves real requests between tracks (stable and canary) by
// weight, or to one colour (blue or green), as examples/demo/runbook.sh's traffic commands set
// them. demosvc serves it with --router.
//
// The runbook writes the routes file; the router re-reads it whenever the file is replaced, so
// a weight the runbook wrote is the weight of the next request.
package router

import (
	"bufio"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"
)

// Tracks and colours the routes file may name.
const (
	TrackStable = "stable"
	TrackCanary = "canary"
	Blue        = "blue"
	Green       = "green"
)

// Routes is the content of a routes file:
//
//	weight=20                      percent of requests for the canary track (0–100)
//	colour=green                   when set, every request goes to this colour instead
//	track.stable=127.0.0.1:18500 127.0.0.1:18501
//	track.canary=127.0.0.1:18510
//
// Blank lines and lines starting with # are ignored.
type Routes struct {
	Weight int
	Colour string
	// Tracks maps a track or colour to the addresses of its instances.
	Tracks map[string][]string
}

// Parse reads a routes file. Unknown keys are refused, so a typo cannot silently route
// everything to stable.
func Parse(r io.Reader) (Routes, error) {
	rt := Routes{Tracks: map[string][]string{}}
	sc := bufio.NewScanner(r)
	for n := 1; sc.Scan(); n++ {
		line := strings.TrimSpace(sc.Text())
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		k, v, ok := strings.Cut(line, "=")
		if !ok {
			return rt, fmt.Errorf("routes line %d: want key=value, got %q", n, line)
		}
		switch {
		case k == "weight":
			w, err := strconv.Atoi(v)
			if err != nil || w < 0 || w > 100 {
				return rt, fmt.Errorf("routes line %d: weight %q is not a percentage 0–100", n, v)
			}
			rt.Weight = w
		case k == "colour":
			if v != "" && v != Blue && v != Green {
				return rt, fmt.Errorf("routes line %d: colour %q: want blue, green or nothing", n, v)
			}
			rt.Colour = v
		case strings.HasPrefix(k, "track."):
			name := strings.TrimPrefix(k, "track.")
			if !slices.Contains([]string{TrackStable, TrackCanary, Blue, Green}, name) {
				return rt, fmt.Errorf("routes line %d: unknown track %q", n, name)
			}
			rt.Tracks[name] = strings.Fields(v)
		default:
			return rt, fmt.Errorf("routes line %d: unknown key %q", n, k)
		}
	}
	return rt, sc.Err()
}

// Pick returns the track of the n-th request (0-based). With a colour every request goes to it.
// Otherwise request n goes to the canary exactly when ⌊(n+1)·w/100⌋ > ⌊n·w/100⌋, so any 100
// consecutive requests give the canary exactly w of them; a canary without instances gets none.
func (rt Routes) Pick(n uint64) string {
	if rt.Colour != "" {
		return rt.Colour
	}
	w := uint64(rt.Weight)
	if w > 0 && len(rt.Tracks[TrackCanary]) > 0 && (n+1)*w/100 > n*w/100 {
		return TrackCanary
	}
	return TrackStable
}
