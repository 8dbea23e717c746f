package audit

import "fmt"

// chainWalk is the state of verifyChain: the entries accepted so far and those set aside.
type chainWalk struct {
	entries  []Entry
	computed []string
	h        *hasher
	// misplaced are positions of broken entries whose seq sorts before where they belong: a
	// store that orders by seq moves an entry whose seq was changed. They are judged where
	// their seq turns out to be missing.
	misplaced []int
}

// verifyChain walks the entries and returns the first problem. An entry is trusted when its
// seq is the next expected, its hash recomputes, it links to the last trusted entry, and its
// successor (if well placed) links to it: the last rule catches an entry altered with its hash
// recomputed, or inserted, which is otherwise self-consistent.
func verifyChain(entries []Entry, computed []string) (Problem, bool) {
	w := &chainWalk{entries: entries, computed: computed, h: newHasher()}
	n := len(entries)
	want := int64(1)
	prev := GenesisHash
	for i := range entries {
		e := &entries[i]
		broken := computed[i] != e.Hash
		if e.Seq != want {
			if broken && w.hashesAs(i, want) {
				return problemAt(Altered, i, want, "entry seq %d was altered: its seq reads %d", want, e.Seq), true
			}
			if broken && e.Seq < want {
				w.misplaced = append(w.misplaced, i)
				continue
			}
		}
		switch {
		case broken:
			return problemAt(Altered, i, want, "entry seq %d was altered: its content hashes to %s…, it records %s…", want, computed[i][:12], clip(e.Hash)), true
		case e.Seq > want:
			return w.gap(i, want), true
		case e.Seq < want:
			// A duplicate: which of the two was inserted? The genuine one is what the next links to.
			at := i
			if i+1 < n && entries[i+1].PrevHash == e.Hash {
				at = i - 1
			}
			return problemAt(Inserted, at, e.Seq, "entry seq %d appears twice: an entry was inserted or reordered", e.Seq), true
		case e.PrevHash != prev:
			return problemAt(Altered, i, want, "entry seq %d was altered: it links to %s…, the previous entry's hash is %s…", want, clip(e.PrevHash), clip(prev)), true
		}
		if i+1 < n && entries[i+1].Seq == want+1 && entries[i+1].PrevHash != e.Hash {
			next := &entries[i+1]
			// If the successor is itself broken, its link is not evidence against this entry,
			// unless it links to this entry's predecessor: then this entry was slipped in between.
			if computed[i+1] == next.Hash || next.PrevHash == prev {
				return problemAt(Inserted, i, want, "entry seq %d was inserted or altered with its hash recomputed: the next entry links to %s…, not to it", want, clip(next.PrevHash)), true
			}
		}
		prev = e.Hash
		want++
	}
	if len(w.misplaced) > 0 {
		i := w.misplaced[0]
		return problemAt(Altered, i, entries[i].Seq, "entry at position %d was altered: seq %d is out of place and its hash does not recompute", i+1, entries[i].Seq), true
	}
	return Problem{}, false
}

// gap explains why seq want is missing at position i: moved further down (reordered), still
// there under another seq (altered), or gone (removed).
func (w *chainWalk) gap(i int, want int64) Problem {
	for j := i + 1; j < len(w.entries); j++ {
		if w.entries[j].Seq == want && w.computed[j] == w.entries[j].Hash {
			return problemAt(Reordered, i, want, "entry seq %d is at position %d: entries were reordered (seq %d found first)", want, j+1, w.entries[i].Seq)
		}
	}
	candidates := append(append([]int{}, w.misplaced...), indexes(i+1, len(w.entries))...)
	for _, j := range candidates {
		if w.computed[j] != w.entries[j].Hash && w.hashesAs(j, want) {
			return problemAt(Altered, j, want, "entry seq %d was altered: its seq reads %d", want, w.entries[j].Seq)
		}
	}
	return problemAt(Removed, i, want, "entry seq %d was removed: seq %d follows seq %d", want, w.entries[i].Seq, want-1)
}

// hashesAs reports whether entry j would hash right with seq: only its seq was changed.
func (w *chainWalk) hashesAs(j int, seq int64) bool {
	e := w.entries[j]
	e.Seq = seq
	var out [64]byte
	w.h.entryHash(&e, &out)
	return string(out[:]) == e.Hash
}

func indexes(from, to int) []int {
	out := make([]int, 0, max(0, to-from))
	for k := from; k < to; k++ {
		out = append(out, k)
	}
	return out
}

func problemAt(kind ProblemKind, index int, seq int64, format string, args ...any) Problem {
	return Problem{Kind: kind, Index: index, Seq: seq, Message: fmt.Sprintf(format, args...)}
}
