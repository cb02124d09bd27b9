package main

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"runtime"
	"strconv"
	"time"

	_ "modernc.org/sqlite" // registers the "sqlite" database/sql driver
)

// ceilingCommand is the hidden first argument that makes salesbench run the
// ceiling server instead of the benchmark. The benchmark starts itself this
// way, so the ceiling runs in its own process, measured like the server.
const ceilingCommand = "ceiling-serve"

// sqliteDSN returns the database/sql name of an SQLite file opened the way
// the ceiling is defined: WAL, synchronous=NORMAL, a busy timeout, and
// query_only for a read pool.
func sqliteDSN(path string, readOnly bool) string {
	params := url.Values{}
	params.Add("_pragma", "busy_timeout(10000)")
	params.Add("_pragma", "journal_mode(WAL)")
	params.Add("_pragma", "synchronous(NORMAL)")
	if readOnly {
		params.Add("_pragma", "query_only(1)")
	}
	return "file:" + path + "?" + params.Encode()
}

// runCeilingServer serves the machine's limit: a bare net/http server, no
// auth, no middleware, no logging per request, with two handlers.
//
//	GET  /row?db_id=&id=  reads one customer by primary key from the
//	                      server's SQLite file and writes it as JSON.
//	POST /row             inserts the request body as one row of a scratch
//	                      table in a file of its own, and answers its id.
//
// It logs {"msg":"listening","addr":"http://…"} on stderr when ready and
// stops on SIGTERM (the context).
func runCeilingServer(ctx context.Context, args []string, stderr io.Writer) error {
	fs := flag.NewFlagSet(ceilingCommand, flag.ContinueOnError)
	fs.SetOutput(stderr)
	readPath := fs.String("read", "", "SQLite file with the customers table to read from")
	writePath := fs.String("write", "", "SQLite file for the scratch table written to")
	addr := fs.String("addr", "127.0.0.1:0", "address to listen on")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *readPath == "" || *writePath == "" {
		return errors.New("ceiling-serve needs -read and -write")
	}
	logger := slog.New(slog.NewJSONHandler(stderr, nil))

	read, err := sql.Open("sqlite", sqliteDSN(*readPath, true))
	if err != nil {
		return err
	}
	defer read.Close()
	// As many readers as the server's store keeps.
	n := max(4, 2*runtime.GOMAXPROCS(0))
	read.SetMaxOpenConns(n)
	read.SetMaxIdleConns(n)
	read.SetConnMaxIdleTime(0)

	write, err := sql.Open("sqlite", sqliteDSN(*writePath, false))
	if err != nil {
		return err
	}
	defer write.Close()
	// SQLite has one writer; more connections would only wait for the lock.
	write.SetMaxOpenConns(1)
	write.SetMaxIdleConns(1)
	write.SetConnMaxIdleTime(0)
	if _, err := write.ExecContext(ctx, "CREATE TABLE IF NOT EXISTS bench_ceiling (id INTEGER PRIMARY KEY, body TEXT NOT NULL)"); err != nil {
		return fmt.Errorf("create the ceiling table in %s: %w", *writePath, err)
	}

	mux := http.NewServeMux()
	mux.Handle("GET /row", handleCeilingRead(read))
	mux.Handle("POST /row", handleCeilingWrite(write))
	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		return err
	}
	srv := &http.Server{Handler: mux, ReadHeaderTimeout: 10 * time.Second}
	logger.Info("listening", "addr", "http://"+ln.Addr().String())
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	sctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	return srv.Shutdown(sctx)
}

func handleCeilingRead(db *sql.DB) http.Handler {
	type row struct {
		ID      int64  `json:"id"`
		Name    string `json:"name"`
		Address string `json:"address"`
		City    string `json:"city"`
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		dbID, err1 := strconv.ParseInt(r.URL.Query().Get("db_id"), 10, 64)
		id, err2 := strconv.ParseInt(r.URL.Query().Get("id"), 10, 64)
		if err1 != nil || err2 != nil {
			http.Error(w, "db_id and id must be integers", http.StatusBadRequest)
			return
		}
		out := row{ID: id}
		err := db.QueryRowContext(r.Context(), "SELECT name, address, city FROM customers WHERE db_id = ? AND id = ?", dbID, id).
			Scan(&out.Name, &out.Address, &out.City)
		if errors.Is(err, sql.ErrNoRows) {
			http.Error(w, "not found", http.StatusNotFound)
			return
		} else if err != nil {
			http.Error(w, err.Error(), http.StatusInternalServerError)
			return
		}
		writeJSON(w, out)
	})
}

func handleCeilingWrite(db *sql.DB) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, 1<<20))
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		var out struct {
			ID int64 `json:"id"`
		}
		if err := db.QueryRowContext(r.Context(), "INSERT INTO bench_ceiling (body) VALUES (?) RETURNING id", string(body)).Scan(&out.ID); err != nil {
			http.Error(w, err.Error(), http.StatusInternalServerError)
			return
		}
		writeJSON(w, out)
	})
}

func writeJSON(w http.ResponseWriter, v any) {
	b, err := json.Marshal(v)
	if err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	w.Write(b)
}
