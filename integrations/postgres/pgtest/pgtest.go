// Package pgtest starts a throwaway PostgreSQL cluster for a test: initdb in t.TempDir(),
// pg_ctl start on a free loopback port, stopped and removed in t.Cleanup. It uses the
// server binaries of Debian's postgresql package (scripts/ensure-postgres.sh installs them)
// and fails, never skips, when they are missing.
package pgtest

import (
	"context"
	"fmt"
	"net"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/stretchr/testify/require"
)

// InstallHint is the command that installs the server binaries.
const InstallHint = "scripts/ensure-postgres.sh (apt-get install -y postgresql)"

// Server is a running throwaway cluster.
type Server struct {
	// DSN connects as the cluster's superuser to database "postgres" over TCP on loopback.
	DSN  string
	Port int
}

// Start starts a cluster and registers its shutdown with t.Cleanup. initdb refuses to run as
// root, so under root the cluster runs as the "postgres" system user, who must own the data
// directory.
func Start(t testing.TB) *Server {
	t.Helper()
	bin, err := binDir()
	require.NoError(t, err)
	dir := t.TempDir()
	data := filepath.Join(dir, "data")
	sock := filepath.Join(dir, "sock")
	require.NoError(t, os.Mkdir(sock, 0o700))

	var runAs []string
	superuser := currentUser()
	if os.Geteuid() == 0 {
		pg, err := user.Lookup("postgres")
		require.NoError(t, err, "running as root: initdb needs the postgres system user; install with %s", InstallHint)
		uid, _ := strconv.Atoi(pg.Uid)
		gid, _ := strconv.Atoi(pg.Gid)
		// t.TempDir's parents are 0700 root: let the postgres user through to its own dirs.
		// Only the directories the test created, strictly below the temp root, are touched.
		root := filepath.Clean(os.TempDir())
		for p := dir; strings.HasPrefix(p, root+string(filepath.Separator)); p = filepath.Dir(p) {
			require.NoError(t, os.Chmod(p, 0o711|fileMode(p)))
		}
		require.NoError(t, os.Chown(dir, uid, gid))
		require.NoError(t, os.Chown(sock, uid, gid))
		runAs = []string{"runuser", "-u", "postgres", "--"}
		superuser = "postgres"
	}
	run := func(name string, args ...string) {
		t.Helper()
		argv := slices.Concat(runAs, []string{filepath.Join(bin, name)}, args)
		out, err := exec.Command(argv[0], argv[1:]...).CombinedOutput()
		require.NoError(t, err, "%s: %s", strings.Join(argv, " "), out)
	}
	run("initdb", "-D", data, "-U", superuser, "--auth=trust", "--no-sync", "-E", "UTF8", "--locale=C")
	port := freePort(t)
	opts := fmt.Sprintf("-c listen_addresses=127.0.0.1 -p %d -k %s -c fsync=off -c full_page_writes=off", port, sock)
	run("pg_ctl", "-D", data, "-o", opts, "-l", filepath.Join(dir, "server.log"), "-w", "-t", "60", "start")
	t.Cleanup(func() {
		argv := slices.Concat(runAs, []string{filepath.Join(bin, "pg_ctl"), "-D", data, "-m", "immediate", "-w", "stop"})
		if out, err := exec.Command(argv[0], argv[1:]...).CombinedOutput(); err != nil {
			t.Errorf("stop PostgreSQL: %v: %s", err, out)
		}
	})
	s := &Server{Port: port, DSN: fmt.Sprintf("postgres://%s@127.0.0.1:%d/postgres?sslmode=disable", superuser, port)}
	require.Eventually(t, func() bool {
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
		defer cancel()
		c, err := pgx.Connect(ctx, s.DSN)
		if err != nil {
			return false
		}
		defer c.Close(ctx)
		return c.Ping(ctx) == nil
	}, 30*time.Second, 100*time.Millisecond, "PostgreSQL on port %d did not accept connections; see %s", port, filepath.Join(dir, "server.log"))
	return s
}

// binDir finds the newest /usr/lib/postgresql/*/bin holding initdb and pg_ctl.
func binDir() (string, error) {
	dirs, _ := filepath.Glob("/usr/lib/postgresql/*/bin")
	slices.SortFunc(dirs, func(a, b string) int { return majorOf(b) - majorOf(a) })
	for _, d := range dirs {
		if isExec(filepath.Join(d, "initdb")) && isExec(filepath.Join(d, "pg_ctl")) {
			return d, nil
		}
	}
	return "", fmt.Errorf("PostgreSQL server binaries (initdb, pg_ctl) not found under /usr/lib/postgresql/*/bin: run %s", InstallHint)
}

func majorOf(binDir string) int {
	n, _ := strconv.Atoi(filepath.Base(filepath.Dir(binDir)))
	return n
}

func isExec(p string) bool {
	st, err := os.Stat(p)
	return err == nil && st.Mode()&0o111 != 0
}

func fileMode(p string) os.FileMode {
	st, err := os.Stat(p)
	if err != nil {
		return 0
	}
	// Keep sticky and set-id bits: Chmod with Perm() alone would clear them.
	return st.Mode() & (os.ModePerm | os.ModeSticky | os.ModeSetuid | os.ModeSetgid)
}

func currentUser() string {
	if u, err := user.Current(); err == nil {
		return u.Username
	}
	return "postgres"
}

// freePort asks the kernel for a free loopback port. Another process could take it before the
// server binds; pg_ctl then fails with "could not bind", which the test reports.
func freePort(t testing.TB) int {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}
