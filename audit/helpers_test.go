package audit

import (
	"crypto/ed25519"
	"fmt"
	"math/rand/v2"
	"time"
)

// testKey is a fixed key so failures reproduce.
func testKey() ed25519.PrivateKey {
	return ed25519.NewKeyFromSeed([]byte("tollgate-audit-test-key-seed-32b"))
}

var t0 = time.Date(2026, 11, 3, 9, 0, 0, 123456789, time.UTC)

func draft(i int) Draft {
	kinds := []string{KindApproval, KindPhase, KindGate, KindPause, KindResume, KindRollback}
	return Draft{
		Time:          t0.Add(time.Duration(i) * time.Second),
		ReleaseID:     fmt.Sprintf("payments-2026.11.%d", i%3),
		WorkflowID:    fmt.Sprintf("payments-2026.11.%d", i%3),
		EventSeq:      int64(i),
		Actor:         []string{"bob", "carol", "system"}[i%3],
		Kind:          kinds[i%len(kinds)],
		Reason:        fmt.Sprintf("reason number %d", i),
		PayloadDigest: fmt.Sprintf("sha256:%064x", i),
	}
}

// buildLog writes n entries the way the store does: a checkpoint whenever interval entries
// followed the previous one.
func buildLog(n, interval int) ([]Entry, []Checkpoint) {
	key := testKey()
	entries := make([]Entry, 0, n)
	var cps []Checkpoint
	var prev *Entry
	var lastCP int64
	for i := range n {
		e := Next(prev, draft(i))
		entries = append(entries, e)
		prev = &entries[len(entries)-1]
		if e.Seq-lastCP >= int64(interval) {
			cps = append(cps, SignCheckpoint(key, e, lastCP, interval, e.Time))
			lastCP = e.Seq
		}
	}
	return entries, cps
}

func pub() ed25519.PublicKey { return testKey().Public().(ed25519.PublicKey) }

// mutateByte changes one byte of one stored field of e, as an attacker editing the database
// would, and returns the field's name.
func mutateByte(r *rand.Rand, e *Entry) string {
	flip := func(b byte) byte { return b ^ byte(1+r.IntN(255)) }
	flipInt := func(v int64) int64 {
		shift := 8 * r.IntN(8)
		return v ^ int64(uint64(flip(0))<<shift)
	}
	flipStr := func(s string) string {
		if s == "" {
			return string([]byte{flip(0)})
		}
		b := []byte(s)
		k := r.IntN(len(b))
		b[k] = flip(b[k])
		return string(b)
	}
	switch f := r.IntN(11); f {
	case 0:
		e.Seq = flipInt(e.Seq)
		return "seq"
	case 1:
		e.Time = time.Unix(0, flipInt(e.Time.UnixNano())).UTC()
		return "time"
	case 2:
		e.ReleaseID = flipStr(e.ReleaseID)
		return "releaseId"
	case 3:
		e.WorkflowID = flipStr(e.WorkflowID)
		return "workflowId"
	case 4:
		e.EventSeq = flipInt(e.EventSeq)
		return "eventSeq"
	case 5:
		e.Actor = flipStr(e.Actor)
		return "actor"
	case 6:
		e.Kind = flipStr(e.Kind)
		return "kind"
	case 7:
		e.Reason = flipStr(e.Reason)
		return "reason"
	case 8:
		e.PayloadDigest = flipStr(e.PayloadDigest)
		return "payloadDigest"
	case 9:
		e.PrevHash = flipStr(e.PrevHash)
		return "prevHash"
	default:
		e.Hash = flipStr(e.Hash)
		return "hash"
	}
}
