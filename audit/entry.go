// Package audit is Tollgate's tamper-evident audit trail: append-only entries chained by
// SHA-256, checkpoints signed with the installation's ed25519 key, and verification that names
// the first entry that was altered, removed, reordered or inserted. It is pure: storage lives in
// store/, key files are read by the callers.
package audit

import (
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"hash"
	"time"
)

// Kinds of entries: every decision and state change of a release.
const (
	KindApproval   = "approval"
	KindRejection  = "rejection"
	KindWaiver     = "waiver"
	KindException  = "exception"
	KindPause      = "pause"
	KindResume     = "resume"
	KindRollback   = "rollback"
	KindGate       = "gate"
	KindPhase      = "phase"
	KindRisk       = "risk"
	KindFreeze     = "freeze"
	KindEscalation = "escalation"
)

// GenesisHash is the PrevHash of the first entry.
const GenesisHash = "0000000000000000000000000000000000000000000000000000000000000000"

// Draft is what a caller appends; the store assigns Seq, PrevHash and Hash.
type Draft struct {
	// Time is when the event happened (workflow.Now in a workflow), kept at nanosecond
	// precision in UTC so the hash does not depend on the writer's time zone.
	Time      time.Time `json:"time"`
	ReleaseID string    `json:"releaseId"`
	// WorkflowID and EventSeq are the idempotency key: appending the same pair twice returns
	// the first entry, so activity retries and worker crashes never duplicate an entry.
	WorkflowID string `json:"workflowId"`
	EventSeq   int64  `json:"eventSeq"`
	Actor      string `json:"actor"`
	Kind       string `json:"kind"`
	Reason     string `json:"reason,omitempty"`
	// PayloadDigest is "sha256:<hex>" of the decision's full payload, which lives elsewhere
	// (large data never travels in the entry).
	PayloadDigest string `json:"payloadDigest,omitempty"`
}

// Entry is one link of the chain.
type Entry struct {
	Seq int64 `json:"seq"`
	Draft
	PrevHash string `json:"prevHash"`
	Hash     string `json:"hash"`
}

// Next builds the entry that follows prev (nil for the first entry of the log).
func Next(prev *Entry, d Draft) Entry {
	e := Entry{Seq: 1, Draft: d, PrevHash: GenesisHash}
	e.Time = d.Time.UTC()
	if prev != nil {
		e.Seq = prev.Seq + 1
		e.PrevHash = prev.Hash
	}
	e.Hash = ComputeHash(e)
	return e
}

// Same reports whether two drafts record the same event, so an idempotent append can tell a
// retry from a different event reusing its key.
func (d Draft) Same(o Draft) bool {
	return d.Time.Equal(o.Time) && d.ReleaseID == o.ReleaseID && d.WorkflowID == o.WorkflowID &&
		d.EventSeq == o.EventSeq && d.Actor == o.Actor && d.Kind == o.Kind && d.Reason == o.Reason &&
		d.PayloadDigest == o.PayloadDigest
}

// ComputeHash returns the hex SHA-256 of the entry's canonical encoding:
//
//	"tollgate.audit.entry.v1" ‖ seq (8 bytes BE) ‖ len‖prevHash ‖ bodyDigest (32 bytes)
//
// where bodyDigest is BodyDigest(e). Hashing the body separately lets a proof for one release
// show other releases' links by their body digest alone, without their content.
func ComputeHash(e Entry) string {
	h := newHasher()
	var out [64]byte
	h.entryHash(&e, &out)
	return string(out[:])
}

// BodyDigest returns the hex SHA-256 of the entry's content fields, canonically encoded:
// "tollgate.audit.body.v1", then time (UnixNano, 8 bytes BE), release ID, workflow ID, event
// sequence (8 bytes BE), actor, kind, reason, payload digest; each string prefixed by its
// length as 4 bytes BE, so no two different entries share an encoding.
func BodyDigest(e Entry) string {
	h := newHasher()
	var sum [32]byte
	h.body(&e, &sum)
	return hex.EncodeToString(sum[:])
}

// LinkHash is the hash of an entry from its seq, previous hash and body digest (hex).
func LinkHash(seq int64, prevHash, bodyDigestHex string) string {
	body, err := hex.DecodeString(bodyDigestHex)
	if err != nil || len(body) != sha256.Size {
		body = make([]byte, sha256.Size) // an invalid digest yields a hash that matches nothing
		copy(body, "invalid body digest")
	}
	h := newHasher()
	var out [64]byte
	h.link(seq, prevHash, (*[32]byte)(body), &out)
	return string(out[:])
}

// hasher reuses its buffers: verification hashes every entry twice.
type hasher struct {
	h   hash.Hash
	buf []byte
}

func newHasher() *hasher { return &hasher{h: sha256.New(), buf: make([]byte, 0, 512)} }

func (h *hasher) body(e *Entry, sum *[32]byte) {
	b := append(h.buf[:0], "tollgate.audit.body.v1"...)
	b = binary.BigEndian.AppendUint64(b, uint64(e.Time.UnixNano()))
	b = appendString(b, e.ReleaseID)
	b = appendString(b, e.WorkflowID)
	b = binary.BigEndian.AppendUint64(b, uint64(e.EventSeq))
	b = appendString(b, e.Actor)
	b = appendString(b, e.Kind)
	b = appendString(b, e.Reason)
	b = appendString(b, e.PayloadDigest)
	h.buf = b
	h.h.Reset()
	h.h.Write(b)
	h.h.Sum(sum[:0])
}

func (h *hasher) link(seq int64, prevHash string, body *[32]byte, out *[64]byte) {
	b := append(h.buf[:0], "tollgate.audit.entry.v1"...)
	b = binary.BigEndian.AppendUint64(b, uint64(seq))
	b = appendString(b, prevHash)
	b = append(b, body[:]...)
	h.buf = b
	h.h.Reset()
	h.h.Write(b)
	var sum [32]byte
	h.h.Sum(sum[:0])
	hex.Encode(out[:], sum[:])
}

func (h *hasher) entryHash(e *Entry, out *[64]byte) {
	var body [32]byte
	h.body(e, &body)
	h.link(e.Seq, e.PrevHash, &body, out)
}

func appendString(b []byte, s string) []byte {
	b = binary.BigEndian.AppendUint32(b, uint32(len(s)))
	return append(b, s...)
}
