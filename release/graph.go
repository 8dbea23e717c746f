package release

import (
	"container/heap"
	"fmt"
	"strings"
)

// ServiceByName returns the service called name.
func (s *Spec) ServiceByName(name string) (Service, bool) {
	for _, svc := range s.Services {
		if svc.Name == name {
			return svc, true
		}
	}
	return Service{}, false
}

// EnvironmentByName returns the environment called name.
func (s *Spec) EnvironmentByName(name string) (Environment, bool) {
	for _, env := range s.Environments {
		if env.Name == name {
			return env, true
		}
	}
	return Environment{}, false
}

// CycleError reports services that depend on each other in a loop, so no order can deploy them.
type CycleError struct {
	Cycle []string // first service repeated at the end: api, ledger, api
}

// Error names the cycle: dependency cycle: api → ledger → api.
func (e *CycleError) Error() string {
	return "dependency cycle: " + strings.Join(e.Cycle, " → ")
}

// TopologicalOrder returns the service names with every service after the services it depends on.
// It is deterministic: among services whose dependencies are all placed, the one declared first
// goes first. Dependencies on names not in services are ignored, so a subset (the services left
// to deploy) can be ordered. A loop yields a *CycleError.
func TopologicalOrder(services []Service) ([]string, error) {
	g, err := newGraph(services)
	if err != nil {
		return nil, err
	}
	return g.kahn(g.deps, g.dependents)
}

// ReverseOrder returns the service names with every service before the services it depends on,
// the order to roll back in. Ties are broken by declaration order, like TopologicalOrder.
func ReverseOrder(services []Service) ([]string, error) {
	g, err := newGraph(services)
	if err != nil {
		return nil, err
	}
	return g.kahn(g.dependents, g.deps)
}

// Dependents returns, for each service, the services of the slice that depend on it directly, in
// declaration order. Services nothing depends on are absent.
func Dependents(services []Service) map[string][]string {
	g, _ := newGraph(services) // a duplicate name keeps its first declaration
	out := make(map[string][]string)
	for i, ds := range g.dependents {
		if len(ds) == 0 {
			continue
		}
		names := make([]string, len(ds))
		for k, d := range ds {
			names[k] = g.names[d]
		}
		out[g.names[i]] = names
	}
	return out
}

// graph is the dependency graph by declaration index; edges are de-duplicated and sorted by the
// declaration order of their target.
type graph struct {
	names      []string
	index      map[string]int
	deps       [][]int // deps[i]: services i depends on
	dependents [][]int // dependents[i]: services depending on i
}

// newGraph builds the graph, ignoring unknown dependencies. It fails on a duplicate name but
// still returns the graph of first declarations, which is what validation wants.
func newGraph(services []Service) (*graph, error) {
	g := &graph{index: make(map[string]int, len(services))}
	var decl []int // decl[i]: position in services of node i's first declaration
	var dupErr error
	for k, svc := range services {
		if _, dup := g.index[svc.Name]; dup {
			if dupErr == nil {
				dupErr = fmt.Errorf("duplicate service name %q", svc.Name)
			}
			continue
		}
		g.index[svc.Name] = len(g.names)
		g.names = append(g.names, svc.Name)
		decl = append(decl, k)
	}
	g.deps = make([][]int, len(g.names))
	g.dependents = make([][]int, len(g.names))
	for i, k := range decl {
		seen := make(map[int]bool, len(services[k].DependsOn))
		for _, d := range services[k].DependsOn {
			if j, ok := g.index[d]; ok && !seen[j] {
				seen[j] = true
				g.deps[i] = append(g.deps[i], j)
			}
		}
	}
	// Scanning dependents in ascending order keeps each dependents list in declaration order.
	for i, ds := range g.deps {
		for _, j := range ds {
			g.dependents[j] = append(g.dependents[j], i)
		}
	}
	return g, dupErr
}

// kahn orders nodes so every node comes after all nodes in before[node]; after is the inverse.
func (g *graph) kahn(before, after [][]int) ([]string, error) {
	pending := make([]int, len(g.names))
	ready := &intHeap{}
	for i := range g.names {
		pending[i] = len(before[i])
		if pending[i] == 0 {
			heap.Push(ready, i)
		}
	}
	order := make([]string, 0, len(g.names))
	for ready.Len() > 0 {
		i := heap.Pop(ready).(int)
		order = append(order, g.names[i])
		for _, j := range after[i] {
			if pending[j]--; pending[j] == 0 {
				heap.Push(ready, j)
			}
		}
	}
	if len(order) < len(g.names) {
		cycles := g.cycles(false)
		if len(cycles) > 0 {
			return nil, &CycleError{Cycle: cycles[0]}
		}
		return nil, fmt.Errorf("dependency cycle among unplaced services")
	}
	return order, nil
}

// intHeap is a min-heap of declaration indices: the earliest-declared ready service goes first.
type intHeap []int

func (h intHeap) Len() int           { return len(h) }
func (h intHeap) Less(i, j int) bool { return h[i] < h[j] }
func (h intHeap) Swap(i, j int)      { h[i], h[j] = h[j], h[i] }
func (h *intHeap) Push(x any)        { *h = append(*h, x.(int)) }
func (h *intHeap) Pop() any {
	old := *h
	x := old[len(old)-1]
	*h = old[:len(old)-1]
	return x
}
