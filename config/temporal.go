// Package config reads Tollgate's configuration from the environment, with defaults that run
// the embedded default out of the box.
package config

import (
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"log/slog"
	"os"

	"go.temporal.io/sdk/client"
	tlog "go.temporal.io/sdk/log"
)

// Temporal is how to reach a Temporal cluster, read from the standard TEMPORAL_* variables.
type Temporal struct {
	// Address is host:port of the frontend; empty means "use the embedded server" for the
	// worker and DefaultAddress for the CLI.
	Address   string
	Namespace string
	// APIKey authenticates to Temporal Cloud; it is never logged.
	APIKey        string
	TLSCertPath   string
	TLSKeyPath    string
	TLSCAPath     string
	TLSServerName string
	// TLS forces TLS on even without client certificates (API keys need it).
	TLS bool
}

// DefaultAddress is the embedded server's frontend, which the CLI dials when nothing is set.
const DefaultAddress = "127.0.0.1:7233"

// DefaultNamespace is used when TEMPORAL_NAMESPACE is unset.
const DefaultNamespace = "default"

// TemporalFromEnv reads TEMPORAL_ADDRESS, TEMPORAL_NAMESPACE, TEMPORAL_API_KEY,
// TEMPORAL_TLS_CERT, TEMPORAL_TLS_KEY, TEMPORAL_TLS_CA, TEMPORAL_TLS_SERVER_NAME and TEMPORAL_TLS.
func TemporalFromEnv() Temporal {
	t := Temporal{
		Address:       os.Getenv("TEMPORAL_ADDRESS"),
		Namespace:     os.Getenv("TEMPORAL_NAMESPACE"),
		APIKey:        os.Getenv("TEMPORAL_API_KEY"),
		TLSCertPath:   os.Getenv("TEMPORAL_TLS_CERT"),
		TLSKeyPath:    os.Getenv("TEMPORAL_TLS_KEY"),
		TLSCAPath:     os.Getenv("TEMPORAL_TLS_CA"),
		TLSServerName: os.Getenv("TEMPORAL_TLS_SERVER_NAME"),
		TLS:           os.Getenv("TEMPORAL_TLS") == "true",
	}
	if t.Namespace == "" {
		t.Namespace = DefaultNamespace
	}
	return t
}

// ClientOptions builds Temporal client options. Errors name the variable at fault.
func (t Temporal) ClientOptions(logger *slog.Logger) (client.Options, error) {
	addr := t.Address
	if addr == "" {
		addr = DefaultAddress
	}
	opts := client.Options{HostPort: addr, Namespace: t.Namespace}
	if logger != nil {
		opts.Logger = tlog.NewStructuredLogger(logger)
	}
	if t.APIKey != "" {
		opts.Credentials = client.NewAPIKeyStaticCredentials(t.APIKey)
	}
	tlsConf, err := t.tlsConfig()
	if err != nil {
		return opts, err
	}
	if tlsConf != nil {
		opts.ConnectionOptions.TLS = tlsConf
	}
	return opts, nil
}

func (t Temporal) tlsConfig() (*tls.Config, error) {
	if !t.TLS && t.APIKey == "" && t.TLSCertPath == "" && t.TLSCAPath == "" {
		return nil, nil
	}
	conf := &tls.Config{MinVersion: tls.VersionTLS12, ServerName: t.TLSServerName}
	if (t.TLSCertPath == "") != (t.TLSKeyPath == "") {
		return nil, errors.New("TEMPORAL_TLS_CERT and TEMPORAL_TLS_KEY must be set together")
	}
	if t.TLSCertPath != "" {
		cert, err := tls.LoadX509KeyPair(t.TLSCertPath, t.TLSKeyPath)
		if err != nil {
			return nil, fmt.Errorf("TEMPORAL_TLS_CERT/TEMPORAL_TLS_KEY: %w", err)
		}
		conf.Certificates = []tls.Certificate{cert}
	}
	if t.TLSCAPath != "" {
		pem, err := os.ReadFile(t.TLSCAPath)
		if err != nil {
			return nil, fmt.Errorf("TEMPORAL_TLS_CA: %w", err)
		}
		pool := x509.NewCertPool()
		if !pool.AppendCertsFromPEM(pem) {
			return nil, fmt.Errorf("TEMPORAL_TLS_CA: %s holds no PEM certificate", t.TLSCAPath)
		}
		conf.RootCAs = pool
	}
	return conf, nil
}
