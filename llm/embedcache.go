package llm

import (
	"bufio"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"math"
	"os"
	"path/filepath"
	"strings"
	"sync"
)

// EmbedKey identifies an embedding: the SHA-256 of the text embedded. The
// model is in the cache file's name.
type EmbedKey [sha256.Size]byte

// KeyOf is the key of text.
func KeyOf(text string) EmbedKey { return sha256.Sum256([]byte(text)) }

// EmbedCache keeps embeddings by content hash, in memory and, with a
// folder, in one append-only file per model, so that a restart or a
// re-index embeds only the sections whose text changed.
//
// The file is a header line (embedMagic) followed by records: the 32-byte
// key, the dimension as a little-endian uint32, then that many little-endian
// float32s. A record cut short by a crash is dropped (and the file truncated
// to the last whole record) when the file is opened.
type EmbedCache struct {
	log  *slog.Logger
	path string // "" in memory

	mu      sync.Mutex
	vecs    map[EmbedKey][]float32
	dim     int
	records int // records in the file, superseded ones included
	f       *os.File
	w       *bufio.Writer
}

const embedMagic = "koban-embeddings/1\n"

// embedFileName names the cache file of a model: readable, and unique by
// hash for model names that differ only in characters a file name cannot
// hold.
func embedFileName(model string) string {
	safe := strings.Map(func(r rune) rune {
		switch {
		case 'a' <= r && r <= 'z', 'A' <= r && r <= 'Z', '0' <= r && r <= '9', r == '-', r == '.', r == '_':
			return r
		}
		return '_'
	}, model)
	if len(safe) > 64 {
		safe = safe[:64]
	}
	sum := sha256.Sum256([]byte(model))
	return "embeddings-" + safe + "-" + hex.EncodeToString(sum[:4]) + ".bin"
}

// OpenEmbedCache opens (or creates) the cache of model in dir; an empty dir
// keeps it in memory.
func OpenEmbedCache(dir, model string, log *slog.Logger) (*EmbedCache, error) {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	c := &EmbedCache{log: log, vecs: map[EmbedKey][]float32{}}
	if dir == "" {
		return c, nil
	}
	if err := os.MkdirAll(dir, 0o750); err != nil {
		return nil, fmt.Errorf("embedding cache %s: %w", dir, err)
	}
	c.path = filepath.Join(dir, embedFileName(model))
	f, err := os.OpenFile(c.path, os.O_RDWR|os.O_CREATE, 0o640)
	if err != nil {
		return nil, fmt.Errorf("embedding cache: %w", err)
	}
	good, err := c.load(f)
	if err != nil {
		f.Close()
		return nil, fmt.Errorf("embedding cache %s: %w", c.path, err)
	}
	if err := f.Truncate(good); err != nil {
		f.Close()
		return nil, fmt.Errorf("embedding cache %s: %w", c.path, err)
	}
	if _, err := f.Seek(good, io.SeekStart); err != nil {
		f.Close()
		return nil, fmt.Errorf("embedding cache %s: %w", c.path, err)
	}
	c.f, c.w = f, bufio.NewWriterSize(f, 1<<16)
	if good == 0 {
		if _, err := c.w.WriteString(embedMagic); err != nil {
			f.Close()
			return nil, fmt.Errorf("embedding cache %s: %w", c.path, err)
		}
	}
	return c, nil
}

// load reads the records of f into c and returns the offset after the last
// whole record (0 when the file has to be started over).
func (c *EmbedCache) load(f *os.File) (int64, error) {
	r := bufio.NewReaderSize(f, 1<<16)
	head := make([]byte, len(embedMagic))
	if _, err := io.ReadFull(r, head); err != nil || string(head) != embedMagic {
		if st, serr := f.Stat(); serr == nil && st.Size() > 0 {
			c.log.Warn("embedding cache unreadable, starting over", "path", c.path)
		}
		return 0, nil
	}
	off := int64(len(embedMagic))
	var hdr [sha256.Size + 4]byte
	for {
		if _, err := io.ReadFull(r, hdr[:]); err != nil {
			if !errors.Is(err, io.EOF) {
				c.log.Warn("embedding cache ends in a partial record, dropped", "path", c.path, "offset", off)
			}
			return off, nil
		}
		dim := int(binary.LittleEndian.Uint32(hdr[sha256.Size:]))
		if dim == 0 || dim > 1<<16 || c.dim != 0 && dim != c.dim {
			c.log.Warn("embedding cache has a bad record, dropped from there", "path", c.path, "offset", off)
			return off, nil
		}
		buf := make([]byte, 4*dim)
		if _, err := io.ReadFull(r, buf); err != nil {
			c.log.Warn("embedding cache ends in a partial record, dropped", "path", c.path, "offset", off)
			return off, nil
		}
		v := make([]float32, dim)
		for i := range v {
			v[i] = math.Float32frombits(binary.LittleEndian.Uint32(buf[4*i:]))
		}
		var k EmbedKey
		copy(k[:], hdr[:sha256.Size])
		c.vecs[k] = v
		c.dim = dim
		c.records++
		off += int64(len(hdr) + len(buf))
	}
}

// Get returns the embedding of k, if cached. It is safe for concurrent use,
// as are the other methods.
func (c *EmbedCache) Get(k EmbedKey) ([]float32, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	v, ok := c.vecs[k]
	return v, ok
}

// Put adds embeddings and appends them to the file. Vectors of another
// dimension than those cached are an error: the model changed under its
// name, and the cache of that name must be dropped.
func (c *EmbedCache) Put(keys []EmbedKey, vecs [][]float32) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	for i, k := range keys {
		v := vecs[i]
		if c.dim != 0 && len(v) != c.dim {
			return fmt.Errorf("embedding cache: got %d dimensions, cache has %d (did the model change? delete %s)", len(v), c.dim, c.path)
		}
		c.dim = len(v)
		c.vecs[k] = v
		if c.w == nil {
			continue
		}
		if err := writeRecord(c.w, k, v); err != nil {
			return fmt.Errorf("embedding cache %s: %w", c.path, err)
		}
		c.records++
	}
	if c.w != nil {
		if err := c.w.Flush(); err != nil {
			return fmt.Errorf("embedding cache %s: %w", c.path, err)
		}
	}
	return nil
}

func writeRecord(w io.Writer, k EmbedKey, v []float32) error {
	buf := make([]byte, sha256.Size+4+4*len(v))
	copy(buf, k[:])
	binary.LittleEndian.PutUint32(buf[sha256.Size:], uint32(len(v)))
	for i, x := range v {
		binary.LittleEndian.PutUint32(buf[sha256.Size+4+4*i:], math.Float32bits(x))
	}
	_, err := w.Write(buf)
	return err
}

// Compact forgets embeddings whose key is not live and, when the file holds
// more than twice as many records as there are live ones, rewrites it with
// the live ones only (to a temporary file renamed over it).
func (c *EmbedCache) Compact(live map[EmbedKey]bool) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	for k := range c.vecs {
		if !live[k] {
			delete(c.vecs, k)
		}
	}
	if c.w == nil || c.records <= 2*len(c.vecs)+64 {
		return nil
	}
	tmp := c.path + ".tmp"
	f, err := os.OpenFile(tmp, os.O_RDWR|os.O_CREATE|os.O_TRUNC, 0o640)
	if err != nil {
		return fmt.Errorf("compact embedding cache: %w", err)
	}
	w := bufio.NewWriterSize(f, 1<<16)
	w.WriteString(embedMagic)
	for k, v := range c.vecs {
		if err := writeRecord(w, k, v); err != nil {
			f.Close()
			return fmt.Errorf("compact embedding cache: %w", err)
		}
	}
	if err := w.Flush(); err != nil {
		f.Close()
		return fmt.Errorf("compact embedding cache: %w", err)
	}
	if err := os.Rename(tmp, c.path); err != nil {
		f.Close()
		return fmt.Errorf("compact embedding cache: %w", err)
	}
	c.f.Close()
	c.f, c.w = f, w
	c.log.Info("embedding cache compacted", "path", c.path, "records", c.records, "kept", len(c.vecs))
	c.records = len(c.vecs)
	return nil
}

// Len is how many embeddings are cached.
func (c *EmbedCache) Len() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return len(c.vecs)
}

// Close flushes and closes the file.
func (c *EmbedCache) Close() error {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.f == nil {
		return nil
	}
	err := c.w.Flush()
	if cerr := c.f.Close(); err == nil {
		err = cerr
	}
	c.f, c.w = nil, nil
	return err
}
