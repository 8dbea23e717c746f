package audit

import (
	"crypto/ed25519"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestVerifyIntactLog(t *testing.T) {
	entries, cps := buildLog(250, 100)
	r := Verify(entries, cps, pub())
	require.True(t, r.OK(), "problems: %v", r.Problems)
	require.NotNil(t, r.Head)
	assert.EqualValues(t, 200, r.Head.Seq)
	assert.Equal(t, 50, r.Unsigned)
	assert.Equal(t, 250, r.Entries)
}

func TestVerifyEmptyLog(t *testing.T) {
	r := Verify(nil, nil, pub())
	assert.True(t, r.OK())
	assert.Nil(t, r.Head)
}

// TestTamperSingleByte changes one byte of one field of one entry, 1,000 times with a fixed
// seed, and requires each change to be named at the entry it touched.
func TestTamperSingleByte(t *testing.T) {
	entries, cps := buildLog(300, 50)
	r := rand.New(rand.NewPCG(5, 2026))
	for round := range 1000 {
		i := r.IntN(len(entries))
		tampered := slices.Clone(entries)
		field := mutateByte(r, &tampered[i])
		rep := Verify(tampered, cps, pub())
		require.False(t, rep.OK(), "round %d: change to %s of entry %d undetected", round, field, i)
		assert.Equal(t, i, rep.Problems[0].Index, "round %d: change to %s of entry %d: %v", round, field, i, rep.Problems[0])
		assert.EqualValues(t, i+1, rep.Problems[0].Seq, "round %d: change to %s of entry %d: %v", round, field, i, rep.Problems[0])
	}
}

func TestTamperStructural(t *testing.T) {
	const n, interval = 250, 50
	entries, cps := buildLog(n, interval)
	tests := []struct {
		name   string
		change func([]Entry, []Checkpoint) ([]Entry, []Checkpoint)
		kind   ProblemKind
		index  int
	}{
		{"remove entry 40", func(e []Entry, c []Checkpoint) ([]Entry, []Checkpoint) {
			return slices.Delete(e, 39, 40), c
		}, Removed, 39},
		{"remove first entry", func(e []Entry, c []Checkpoint) ([]Entry, []Checkpoint) {
			return e[1:], c
		}, Removed, 0},
		{"swap entries 10 and 11", func(e []Entry, c []Checkpoint) ([]Entry, []Checkpoint) {
			e[9], e[10] = e[10], e[9]
			return e, c
		}, Reordered, 9},
		{"move entry 5 to the end", func(e []Entry, c []Checkpoint) ([]Entry, []Checkpoint) {
			moved := e[4]
			return append(slices.Delete(e, 4, 5), moved), c
		}, Reordered, 4},
		{"insert a duplicate of seq 31 linked to 30", func(e []Entry, c []Checkpoint) ([]Entry, []Checkpoint) {
			forged := Next(&e[29], draft(999))
			return slices.Insert(e, 30, forged), c
		}, Inserted, 30},
		{"insert at 31 and renumber without the key", func(e []Entry, c []Checkpoint) ([]Entry, []Checkpoint) {
			forged := Next(&e[29], draft(999))
			for k := 30; k < len(e); k++ {
				e[k].Seq++
			}
			return slices.Insert(e, 30, forged), c
		}, Inserted, 30},
		{"alter 77 and recompute the chain without the key", func(e []Entry, c []Checkpoint) ([]Entry, []Checkpoint) {
			e[76].Reason = "nothing to see here"
			for k := 76; k < len(e); k++ {
				var prev *Entry
				if k > 0 {
					prev = &e[k-1]
				}
				e[k] = Next(prev, e[k].Draft)
			}
			return e, c
		}, Rewritten, 50},
		{"truncate below the last checkpoint", func(e []Entry, c []Checkpoint) ([]Entry, []Checkpoint) {
			return e[:180], c
		}, Truncated, 180},
		{"truncate and drop the checkpoints above", func(e []Entry, c []Checkpoint) ([]Entry, []Checkpoint) {
			return e[:180], c[:2] // checkpoints at 50, 100 remain; 150 would be due
		}, CheckpointProblem, 149},
		{"drop a middle checkpoint", func(e []Entry, c []Checkpoint) ([]Entry, []Checkpoint) {
			return e, slices.Delete(c, 1, 2)
		}, CheckpointProblem, 99},
		{"forge a checkpoint signature", func(e []Entry, c []Checkpoint) ([]Entry, []Checkpoint) {
			c[2].Hash = e[120].Hash
			c[2].Seq = 121
			return e, c
		}, CheckpointProblem, 120},
		{"re-sign with another key", func(e []Entry, c []Checkpoint) ([]Entry, []Checkpoint) {
			other := SignCheckpoint(testKeyOther(), e[149], 100, interval, t0)
			c[2] = other
			return e, c
		}, CheckpointProblem, 149},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e, c := tt.change(slices.Clone(entries), slices.Clone(cps))
			rep := Verify(e, c, pub())
			require.False(t, rep.OK(), "undetected")
			assert.Equal(t, tt.kind, rep.Problems[0].Kind, "%v", rep.Problems)
			assert.Equal(t, tt.index, rep.Problems[0].Index, "%v", rep.Problems)
		})
	}
}

func TestVerifyMissingCheckpointWithoutAny(t *testing.T) {
	entries, _ := buildLog(MaxCheckpointInterval, MaxCheckpointInterval+1)
	rep := Verify(entries, nil, pub())
	require.False(t, rep.OK())
	assert.Equal(t, CheckpointProblem, rep.Problems[0].Kind)
}

func testKeyOther() ed25519.PrivateKey {
	return ed25519.NewKeyFromSeed([]byte("another-key-that-is-not-the-inst"))
}

func BenchmarkVerify100k(b *testing.B) {
	entries, cps := buildLog(100_000, DefaultCheckpointInterval)
	b.ResetTimer()
	for b.Loop() {
		if r := Verify(entries, cps, pub()); !r.OK() {
			b.Fatal(r.Err())
		}
	}
}
