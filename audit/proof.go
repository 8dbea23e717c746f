package audit

import (
	"crypto/ed25519"
	"errors"
	"fmt"
)

// Link is one entry of the chain shown without its content: enough to recompute the chain
// through other releases' entries without disclosing them.
type Link struct {
	Seq        int64  `json:"seq"`
	PrevHash   string `json:"prevHash"`
	BodyDigest string `json:"bodyDigest"`
	Hash       string `json:"hash"`
}

// Proof shows, offline, that a release's entries are part of the log a signed checkpoint covers.
type Proof struct {
	ReleaseID string `json:"releaseId"`
	// Entries are the release's own entries, in full.
	Entries []Entry `json:"entries"`
	// Links run from the release's first entry to the checkpoint, every entry of the log.
	Links []Link `json:"links"`
	// Checkpoint is the first checkpoint at or after the release's last entry; nil while the
	// release's last entries are not signed yet.
	Checkpoint *Checkpoint `json:"checkpoint,omitempty"`
}

// BuildProof assembles the proof of releaseID from segment, the log's entries from the
// release's first entry up to the checkpoint (or to the end of the log when cp is nil).
func BuildProof(releaseID string, segment []Entry, cp *Checkpoint) Proof {
	p := Proof{ReleaseID: releaseID, Checkpoint: cp, Entries: []Entry{}, Links: make([]Link, 0, len(segment))}
	for _, e := range segment {
		if e.ReleaseID == releaseID {
			p.Entries = append(p.Entries, e)
		}
		p.Links = append(p.Links, Link{Seq: e.Seq, PrevHash: e.PrevHash, BodyDigest: BodyDigest(e), Hash: e.Hash})
	}
	return p
}

// ErrNotCovered means the proof's chain is intact but no signed checkpoint covers it yet.
var ErrNotCovered = errors.New("not yet covered by a signed checkpoint")

// VerifyProof checks a proof with the installation's public key: every link recomputes and
// follows the previous one, every release entry is the link it claims, and the last link is the
// signed checkpoint. It returns ErrNotCovered (wrapped) when everything else holds but the proof
// has no checkpoint.
func VerifyProof(p Proof, pub ed25519.PublicKey) error {
	bySeq := make(map[int64]Link, len(p.Links))
	for i, l := range p.Links {
		if i > 0 && (l.Seq != p.Links[i-1].Seq+1 || l.PrevHash != p.Links[i-1].Hash) {
			return fmt.Errorf("release %q proof: link seq %d does not follow seq %d", p.ReleaseID, l.Seq, p.Links[i-1].Seq)
		}
		if LinkHash(l.Seq, l.PrevHash, l.BodyDigest) != l.Hash {
			return fmt.Errorf("release %q proof: link seq %d does not hash to %s", p.ReleaseID, l.Seq, clip(l.Hash))
		}
		bySeq[l.Seq] = l
	}
	for _, e := range p.Entries {
		l, ok := bySeq[e.Seq]
		switch {
		case e.ReleaseID != p.ReleaseID:
			return fmt.Errorf("release %q proof: entry seq %d belongs to release %q", p.ReleaseID, e.Seq, e.ReleaseID)
		case !ok:
			return fmt.Errorf("release %q proof: entry seq %d is outside the proven links", p.ReleaseID, e.Seq)
		case BodyDigest(e) != l.BodyDigest || ComputeHash(e) != l.Hash || e.PrevHash != l.PrevHash:
			return fmt.Errorf("release %q proof: entry seq %d was altered: it does not hash to its link %s", p.ReleaseID, e.Seq, clip(l.Hash))
		}
	}
	if p.Checkpoint == nil {
		return fmt.Errorf("release %q proof: %w", p.ReleaseID, ErrNotCovered)
	}
	c := *p.Checkpoint
	if !c.VerifySignature(pub) {
		return fmt.Errorf("release %q proof: checkpoint at seq %d: signature does not verify with key %s", p.ReleaseID, c.Seq, KeyID(pub))
	}
	if len(p.Links) == 0 || p.Links[len(p.Links)-1].Seq != c.Seq || p.Links[len(p.Links)-1].Hash != c.Hash {
		return fmt.Errorf("release %q proof: the links do not end at the signed checkpoint seq %d", p.ReleaseID, c.Seq)
	}
	return nil
}
