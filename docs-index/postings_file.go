package docsindex

import (
	"bufio"
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"hash/crc32"
	"io"
	"os"
	"path/filepath"
)

// The search index file: a header naming the format and the manifest
// generation it matches, the documents, then per field its lengths and its
// terms, each with its postings (document number as the gap from the one
// before, and term frequency), all as unsigned varints, and last a CRC-32
// of everything before it. A file of another format or generation, or one
// whose checksum or contents do not add up, is not used: Open builds the
// search index again from the manifest.
const (
	postingsFile  = "postings.bin"
	postingsMagic = "koban postings 1\n"
)

// savePostings writes p to dir, replacing the file at once. It only reads
// p: searches may go on meanwhile. Removed documents not yet compacted away
// are saved as removed.
func savePostings(dir string, gen uint64, p *postings) error {
	path := filepath.Join(dir, postingsFile)
	tmp := path + ".tmp"
	f, err := os.Create(tmp)
	if err != nil {
		return fmt.Errorf("write search index: %w", err)
	}
	sum := crc32.NewIEEE()
	w := bufio.NewWriterSize(io.MultiWriter(f, sum), 1<<20)
	err = encodePostings(w, gen, p)
	if err == nil {
		err = w.Flush()
	}
	if err == nil {
		_, err = f.Write(sum.Sum(nil))
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(tmp, path)
	}
	if err != nil {
		os.Remove(tmp)
		return fmt.Errorf("write search index: %w", err)
	}
	return nil
}

func encodePostings(w *bufio.Writer, gen uint64, p *postings) error {
	var buf []byte
	num := func(n uint64) { buf = binary.AppendUvarint(buf, n) }
	str := func(s string) { num(uint64(len(s))); buf = append(buf, s...) }
	flush := func() error {
		_, err := w.Write(buf)
		buf = buf[:0]
		return err
	}
	buf = append(buf, postingsMagic...)
	num(gen)
	num(uint64(len(p.Docs)))
	for _, d := range p.Docs {
		str(d.ID)
		str(d.Lang)
		flags := uint64(0)
		if d.Page {
			flags |= 1
		}
		if d.Live {
			flags |= 2
		}
		num(flags)
	}
	for f := range p.Fields {
		fi := &p.Fields[f]
		for _, l := range fi.Lens {
			num(uint64(l))
		}
		num(uint64(len(fi.Terms)))
		for t, td := range fi.Terms {
			str(t)
			num(uint64(len(td) / 2))
			prev := uint32(0)
			for i := 0; i < len(td); i += 2 {
				num(uint64(td[i] - prev))
				num(uint64(td[i+1]))
				prev = td[i]
			}
			if len(buf) > 1<<16 {
				if err := flush(); err != nil {
					return err
				}
			}
		}
	}
	return flush()
}

// errPostingsFile says the search index file does not add up.
var errPostingsFile = errors.New("search index file is damaged")

// readPostings reads the search index saved in dir for manifest
// generation gen. It fails when the file is missing, damaged, of another
// format or of another generation.
func readPostings(dir string, gen uint64) (*postings, error) {
	b, err := os.ReadFile(filepath.Join(dir, postingsFile))
	if err != nil {
		return nil, err
	}
	if len(b) < crc32.Size || crc32.ChecksumIEEE(b[:len(b)-crc32.Size]) != binary.BigEndian.Uint32(b[len(b)-crc32.Size:]) {
		return nil, fmt.Errorf("read search index: %w: checksum", errPostingsFile)
	}
	b = b[:len(b)-crc32.Size]
	p, err := decodePostings(bytes.NewReader(b), gen, int64(len(b)))
	if err != nil {
		return nil, fmt.Errorf("read search index: %w", err)
	}
	return p, nil
}

// decodePostings reads what encodePostings wrote. size bounds every count
// (each item takes at least a byte), so a damaged file cannot make it
// allocate without bound.
func decodePostings(r *bytes.Reader, gen uint64, size int64) (*postings, error) {
	magic := make([]byte, len(postingsMagic))
	if _, err := io.ReadFull(r, magic); err != nil || string(magic) != postingsMagic {
		return nil, fmt.Errorf("%w: not a search index of this format", errPostingsFile)
	}
	var err error
	num := func() uint64 {
		if err != nil {
			return 0
		}
		var n uint64
		if n, err = binary.ReadUvarint(r); err == nil && n > uint64(size) {
			err = errPostingsFile
		}
		return n
	}
	str := func() string {
		n := num()
		if err != nil {
			return ""
		}
		b := make([]byte, n)
		_, err = io.ReadFull(r, b)
		return string(b)
	}
	if g := num(); err == nil && g != gen {
		return nil, fmt.Errorf("search index is of manifest generation %d, not %d", g, gen)
	}
	p := newPostings()
	nDocs := num()
	p.Docs = make([]docInfo, 0, min(nDocs, uint64(size)))
	for range nDocs {
		d := docInfo{ID: str(), Lang: str()}
		flags := num()
		d.Page, d.Live = flags&1 != 0, flags&2 != 0
		if err != nil {
			return nil, err
		}
		p.Docs = append(p.Docs, d)
	}
	for f := range p.Fields {
		fi := &p.Fields[f]
		fi.Lens = make([]uint32, len(p.Docs))
		for n := range fi.Lens {
			fi.Lens[n] = uint32(num())
		}
		nTerms := num()
		for range nTerms {
			t := str()
			n := num()
			if err != nil {
				return nil, err
			}
			td := make(termDocs, 0, 2*n)
			doc := uint64(0)
			for i := range n {
				gap := num()
				if i > 0 && gap == 0 {
					err = errPostingsFile
				}
				doc += gap
				td = append(td, uint32(doc), uint32(num()))
			}
			if err != nil {
				return nil, err
			}
			if doc >= uint64(len(p.Docs)) {
				return nil, fmt.Errorf("%w: a posting names document %d of %d", errPostingsFile, doc, len(p.Docs))
			}
			fi.Terms[t] = td
		}
	}
	if err != nil {
		return nil, err
	}
	p.restat()
	return p, nil
}
