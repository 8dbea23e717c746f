package audit

import (
	"cmp"
	"crypto/ed25519"
	"fmt"
	"slices"
)

// ProblemKind classifies what verification found.
type ProblemKind string

// Problem kinds.
const (
	Altered           ProblemKind = "altered"
	Removed           ProblemKind = "removed"
	Reordered         ProblemKind = "reordered"
	Inserted          ProblemKind = "inserted"
	Truncated         ProblemKind = "truncated"
	Rewritten         ProblemKind = "rewritten" // chain recomputed after an alteration; caught by a checkpoint
	CheckpointProblem ProblemKind = "checkpoint"
)

// Problem is one thing wrong with a log.
type Problem struct {
	Kind ProblemKind `json:"kind"`
	// Index is the position in the entries given to Verify where the log stops being the one
	// that was written; Seq is the sequence number that belongs at that position (Index+1).
	Index   int    `json:"index"`
	Seq     int64  `json:"seq"`
	Message string `json:"message"`
}

// Error implements error.
func (p Problem) Error() string { return p.Message }

// Report is the outcome of Verify.
type Report struct {
	Entries     int `json:"entries"`
	Checkpoints int `json:"checkpoints"`
	// Head is the last checkpoint whose signature verified and whose entry matched: what an
	// auditor records to detect later truncation below it.
	Head *Checkpoint `json:"head,omitempty"`
	// Unsigned counts the entries after Head: chained, but not yet covered by a signature.
	Unsigned int `json:"unsigned"`
	// Problems are sorted by Seq; the first names the first entry that is not as written.
	Problems []Problem `json:"problems,omitempty"`
}

// OK reports whether the log verified.
func (r Report) OK() bool { return len(r.Problems) == 0 }

// Err returns the first problem, or nil.
func (r Report) Err() error {
	if len(r.Problems) == 0 {
		return nil
	}
	return r.Problems[0]
}

// Verify checks a whole log in stored order (seq 1 first) against its checkpoints and the
// installation's public key. It names the first entry that was altered, removed, reordered or
// inserted, and detects truncation below the last checkpoint and a missing latest checkpoint.
//
// What it cannot see, by construction: entries forged after the last checkpoint by someone who
// can write the database are indistinguishable from real ones until the next checkpoint is due
// (Report.Unsigned tells how many entries are in that state); and a log truncated together with
// all its later checkpoints looks like a shorter log, unless the auditor compares Report.Head with
// a head recorded earlier (e.g. from a previous `tollgate audit verify` or an export).
func Verify(entries []Entry, checkpoints []Checkpoint, pub ed25519.PublicKey) Report {
	r := Report{Entries: len(entries), Checkpoints: len(checkpoints)}
	computed := computeHashes(entries)
	chainAt := int64(-1)
	if p, ok := verifyChain(entries, computed); ok {
		r.Problems = append(r.Problems, p)
		chainAt = p.Seq
	}
	r.Problems = append(r.Problems, verifyCheckpoints(&r, entries, checkpoints, pub, chainAt)...)
	slices.SortStableFunc(r.Problems, func(a, b Problem) int { return cmp.Compare(a.Seq, b.Seq) })
	return r
}

func computeHashes(entries []Entry) []string {
	h := newHasher()
	out := make([]string, len(entries))
	var buf [64]byte
	for i := range entries {
		h.entryHash(&entries[i], &buf)
		out[i] = string(buf[:])
	}
	return out
}

// verifyCheckpoints checks signatures, the checkpoint chain, each checkpoint's entry and the
// distance from the last checkpoint to the end of the log. A checkpoint that no longer matches
// because of the chain problem found at seq chainAt (-1: none) is not reported again.
func verifyCheckpoints(r *Report, entries []Entry, checkpoints []Checkpoint, pub ed25519.PublicKey, chainAt int64) []Problem {
	var out []Problem
	n := int64(len(entries))
	cps := slices.Clone(checkpoints)
	slices.SortFunc(cps, func(a, b Checkpoint) int { return cmp.Compare(a.Seq, b.Seq) })
	var prevSeq int64
	interval := MaxCheckpointInterval
	for k := range cps {
		c := cps[k]
		if !c.VerifySignature(pub) {
			out = append(out, problem(CheckpointProblem, int(min(c.Seq, n+1))-1, "checkpoint at seq %d: signature does not verify with key %s", c.Seq, KeyID(pub)))
			continue
		}
		if c.PrevSeq != prevSeq {
			out = append(out, problem(CheckpointProblem, int(min(c.PrevSeq, n+1))-1, "checkpoint at seq %d was removed: the checkpoint at seq %d follows it, the one before is at seq %d", c.PrevSeq, c.Seq, prevSeq))
		}
		idx := findSeq(entries, c.Seq)
		explained := chainAt >= 0 && chainAt <= c.Seq
		switch {
		case explained && (idx < 0 || entries[idx].Hash != c.Hash):
		case idx < 0 && (n == 0 || entries[n-1].Seq < c.Seq):
			out = append(out, problem(Truncated, int(n), "log truncated: a signed checkpoint covers seq %d but the log ends at seq %d", c.Seq, n))
		case idx < 0 || entries[idx].Hash != c.Hash:
			out = append(out, problem(Rewritten, int(min(prevSeq, n)), "entries seq %d–%d do not match the signed checkpoint at seq %d: "+
				"one of them was altered and the chain after it recomputed", prevSeq+1, c.Seq, c.Seq))
		default:
			head := c
			r.Head = &head
		}
		prevSeq, interval = c.Seq, c.Interval
	}
	if interval < 1 || interval > MaxCheckpointInterval {
		interval = MaxCheckpointInterval
	}
	if n-prevSeq >= int64(interval) {
		due := prevSeq + int64(interval)
		out = append(out, problem(CheckpointProblem, int(due)-1, "checkpoint at seq %d is missing: the log has %d entries and the last checkpoint is at seq %d (interval %d)", due, n, prevSeq, interval))
	}
	r.Unsigned = int(n)
	if r.Head != nil {
		r.Unsigned = max(0, int(n-r.Head.Seq))
	}
	return out
}

// findSeq returns the position of the entry with seq, or -1. Entries are normally at seq-1.
func findSeq(entries []Entry, seq int64) int {
	if seq >= 1 && seq <= int64(len(entries)) && entries[seq-1].Seq == seq {
		return int(seq - 1)
	}
	for i := range entries {
		if entries[i].Seq == seq {
			return i
		}
	}
	return -1
}

func problem(kind ProblemKind, index int, format string, args ...any) Problem {
	return Problem{Kind: kind, Index: index, Seq: int64(index) + 1, Message: fmt.Sprintf(format, args...)}
}

func clip(h string) string {
	if len(h) > 12 {
		return h[:12]
	}
	return h
}
