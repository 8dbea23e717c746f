package audit

import (
	"crypto/ed25519"
	"crypto/rand"
	"crypto/sha256"
	"crypto/x509"
	"encoding/base64"
	"encoding/binary"
	"encoding/hex"
	"encoding/pem"
	"errors"
	"fmt"
	"io"
	"time"
)

// DefaultCheckpointInterval is how many entries may follow a checkpoint before the next one is
// signed. Smaller catches truncation sooner; each checkpoint costs one ed25519 signature (~25 µs).
const DefaultCheckpointInterval = 100

// MaxCheckpointInterval bounds the interval, so that a log with no checkpoint at all and more
// entries than this is known to have lost them.
const MaxCheckpointInterval = 10000

// Checkpoint is a signed statement "the log's entry Seq has hash Hash". Checkpoints chain
// through PrevSeq so that deleting one is detected, and carry the interval the writer used so
// that a missing latest checkpoint is detected too.
type Checkpoint struct {
	Seq      int64     `json:"seq"`
	Hash     string    `json:"hash"`
	PrevSeq  int64     `json:"prevSeq"`
	Interval int       `json:"interval"`
	Time     time.Time `json:"time"`
	// KeyID names the signing key: the first 16 hex digits of SHA-256 over the public key.
	KeyID     string `json:"keyId"`
	Signature string `json:"signature"` // base64 ed25519 signature over the canonical encoding
}

// KeyID returns the identifier of a public key as checkpoints record it.
func KeyID(pub ed25519.PublicKey) string {
	sum := sha256.Sum256(pub)
	return hex.EncodeToString(sum[:8])
}

// SignCheckpoint signs a checkpoint for entry e, following the checkpoint at prevSeq (0 for the
// first).
func SignCheckpoint(key ed25519.PrivateKey, e Entry, prevSeq int64, interval int, now time.Time) Checkpoint {
	c := Checkpoint{Seq: e.Seq, Hash: e.Hash, PrevSeq: prevSeq, Interval: interval, Time: now.UTC(),
		KeyID: KeyID(key.Public().(ed25519.PublicKey))}
	c.Signature = base64.StdEncoding.EncodeToString(ed25519.Sign(key, c.message()))
	return c
}

// VerifySignature reports whether the checkpoint was signed by pub.
func (c Checkpoint) VerifySignature(pub ed25519.PublicKey) bool {
	sig, err := base64.StdEncoding.DecodeString(c.Signature)
	if err != nil || len(pub) != ed25519.PublicKeySize {
		return false
	}
	return ed25519.Verify(pub, c.message(), sig)
}

// message is the canonical encoding a checkpoint's signature covers.
func (c Checkpoint) message() []byte {
	b := []byte("tollgate.audit.checkpoint.v1")
	b = binary.BigEndian.AppendUint64(b, uint64(c.Seq))
	b = appendString(b, c.Hash)
	b = binary.BigEndian.AppendUint64(b, uint64(c.PrevSeq))
	b = binary.BigEndian.AppendUint64(b, uint64(c.Interval))
	b = binary.BigEndian.AppendUint64(b, uint64(c.Time.UnixNano()))
	return appendString(b, c.KeyID)
}

// GenerateKey creates an installation key and returns it as PEM: the private key in PKCS #8
// ("PRIVATE KEY") and the public key in PKIX ("PUBLIC KEY") form, readable by openssl.
func GenerateKey(random io.Reader) (privPEM, pubPEM []byte, err error) {
	if random == nil {
		random = rand.Reader
	}
	pub, priv, err := ed25519.GenerateKey(random)
	if err != nil {
		return nil, nil, fmt.Errorf("generate audit key: %w", err)
	}
	der, err := x509.MarshalPKCS8PrivateKey(priv)
	if err != nil {
		return nil, nil, fmt.Errorf("encode audit key: %w", err)
	}
	pubDER, err := x509.MarshalPKIXPublicKey(pub)
	if err != nil {
		return nil, nil, fmt.Errorf("encode audit public key: %w", err)
	}
	return pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der}),
		pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: pubDER}), nil
}

// ParsePrivateKey reads a PEM PKCS #8 ed25519 private key.
func ParsePrivateKey(data []byte) (ed25519.PrivateKey, error) {
	block, _ := pem.Decode(data)
	if block == nil || block.Type != "PRIVATE KEY" {
		return nil, errors.New("audit key: want a PEM \"PRIVATE KEY\" block (tollgate audit keygen writes one)")
	}
	k, err := x509.ParsePKCS8PrivateKey(block.Bytes)
	if err != nil {
		return nil, fmt.Errorf("audit key: %w", err)
	}
	priv, ok := k.(ed25519.PrivateKey)
	if !ok {
		return nil, fmt.Errorf("audit key: want an ed25519 key, got %T", k)
	}
	return priv, nil
}

// ParsePublicKey reads a PEM public key, or derives it from a PEM private key, so verifiers can
// be handed either file.
func ParsePublicKey(data []byte) (ed25519.PublicKey, error) {
	block, _ := pem.Decode(data)
	if block == nil {
		return nil, errors.New("audit public key: no PEM block found")
	}
	if block.Type == "PRIVATE KEY" {
		priv, err := ParsePrivateKey(data)
		if err != nil {
			return nil, err
		}
		return priv.Public().(ed25519.PublicKey), nil
	}
	if block.Type != "PUBLIC KEY" {
		return nil, fmt.Errorf("audit public key: want a PEM \"PUBLIC KEY\" block, got %q", block.Type)
	}
	k, err := x509.ParsePKIXPublicKey(block.Bytes)
	if err != nil {
		return nil, fmt.Errorf("audit public key: %w", err)
	}
	pub, ok := k.(ed25519.PublicKey)
	if !ok {
		return nil, fmt.Errorf("audit public key: want an ed25519 key, got %T", k)
	}
	return pub, nil
}
