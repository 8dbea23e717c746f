package risk

import "slices"

// Node is one service of the organization's service graph (not only the release's).
type Node struct {
	Name string `json:"name"`
	// Owner is the owning team.
	Owner     string   `json:"owner,omitempty"`
	DependsOn []string `json:"dependsOn,omitempty"`
}

// Blast is who a change can hurt.
type Blast struct {
	// Dependents are the services that depend, directly or transitively, on a changed service
	// and are not changed themselves, sorted by name.
	Dependents []string `json:"dependents"`
	// Teams own the changed services or their dependents, sorted; "" (no owner) is not a team.
	Teams []string `json:"teams"`
}

// BlastRadius walks the graph backwards from the changed services (breadth first over
// "is depended on by" edges). Unknown names in changed or in dependsOn are ignored; cycles
// are harmless.
func BlastRadius(graph []Node, changed []string) Blast {
	index := make(map[string]int, len(graph))
	for i, n := range graph {
		if _, dup := index[n.Name]; !dup {
			index[n.Name] = i
		}
	}
	// dependents[i] lists the nodes that depend on node i.
	dependents := make([][]int, len(graph))
	for i, n := range graph {
		for _, d := range n.DependsOn {
			if j, ok := index[d]; ok {
				dependents[j] = append(dependents[j], i)
			}
		}
	}
	seen := make([]bool, len(graph))
	isChanged := make([]bool, len(graph))
	queue := make([]int, 0, len(changed))
	for _, c := range changed {
		if i, ok := index[c]; ok && !seen[i] {
			seen[i], isChanged[i] = true, true
			queue = append(queue, i)
		}
	}
	var b Blast
	teams := map[string]bool{}
	for len(queue) > 0 {
		i := queue[0]
		queue = queue[1:]
		if !isChanged[i] {
			b.Dependents = append(b.Dependents, graph[i].Name)
		}
		if graph[i].Owner != "" {
			teams[graph[i].Owner] = true
		}
		for _, j := range dependents[i] {
			if !seen[j] {
				seen[j] = true
				queue = append(queue, j)
			}
		}
	}
	for t := range teams {
		b.Teams = append(b.Teams, t)
	}
	slices.Sort(b.Dependents)
	slices.Sort(b.Teams)
	return b
}
