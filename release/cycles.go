package release

import "slices"

// cycles returns one cycle per strongly connected component of the dependency graph, including
// self-loops unless skipSelf, each as names with the first repeated at the end. A component with many loops is
// reported once, by its shortest loop through its earliest-declared service: enumerating every
// elementary cycle can be exponential, and fixing one loop usually reshapes the rest. Order is
// deterministic: components by their earliest-declared service, and each cycle starts there.
func (g *graph) cycles(skipSelf bool) [][]string {
	var out [][]string
	for _, comp := range g.components() {
		start := slices.Min(comp)
		if len(comp) == 1 && (skipSelf || !slices.Contains(g.deps[start], start)) {
			continue
		}
		in := make(map[int]bool, len(comp))
		for _, n := range comp {
			in[n] = true
		}
		path := g.shortestLoop(start, in, skipSelf)
		names := make([]string, 0, len(path)+1)
		for _, n := range path {
			names = append(names, g.names[n])
		}
		out = append(out, append(names, g.names[start]))
	}
	slices.SortFunc(out, func(a, b []string) int { return g.index[a[0]] - g.index[b[0]] })
	return out
}

// shortestLoop finds, breadth first within one component, the shortest path start → … → u where
// u depends on start, and returns it without the closing start. With skipSelf a self-loop on
// start does not count, so the loop through other services is found.
func (g *graph) shortestLoop(start int, in map[int]bool, skipSelf bool) []int {
	prev := map[int]int{start: -1}
	queue := []int{start}
	for len(queue) > 0 {
		u := queue[0]
		queue = queue[1:]
		for _, v := range g.deps[u] {
			if v == start && !(skipSelf && u == start) {
				var path []int
				for n := u; n != -1; n = prev[n] {
					path = append(path, n)
				}
				slices.Reverse(path)
				return path
			}
			if _, seen := prev[v]; !seen && in[v] {
				prev[v] = u
				queue = append(queue, v)
			}
		}
	}
	return []int{start} // unreachable for a real component
}

// components returns the strongly connected components (Tarjan's algorithm), iteratively so a
// long dependency chain cannot exhaust the stack.
func (g *graph) components() [][]int {
	n := len(g.names)
	index := make([]int, n)
	low := make([]int, n)
	onStack := make([]bool, n)
	for i := range index {
		index[i] = -1
	}
	var stack, comps = []int{}, [][]int{}
	next := 0
	type frame struct{ node, edge int }
	for root := range n {
		if index[root] >= 0 {
			continue
		}
		call := []frame{{root, 0}}
		index[root], low[root] = next, next
		next++
		stack = append(stack, root)
		onStack[root] = true
		for len(call) > 0 {
			f := &call[len(call)-1]
			if f.edge < len(g.deps[f.node]) {
				w := g.deps[f.node][f.edge]
				f.edge++
				if index[w] < 0 {
					index[w], low[w] = next, next
					next++
					stack = append(stack, w)
					onStack[w] = true
					call = append(call, frame{w, 0})
				} else if onStack[w] {
					low[f.node] = min(low[f.node], index[w])
				}
				continue
			}
			v := f.node
			call = call[:len(call)-1]
			if len(call) > 0 {
				p := call[len(call)-1].node
				low[p] = min(low[p], low[v])
			}
			if low[v] == index[v] {
				var comp []int
				for {
					w := stack[len(stack)-1]
					stack = stack[:len(stack)-1]
					onStack[w] = false
					comp = append(comp, w)
					if w == v {
						break
					}
				}
				comps = append(comps, comp)
			}
		}
	}
	return comps
}
