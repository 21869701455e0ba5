package webhook

import (
	"encoding/binary"
	"errors"
	"net/http"
	"slices"
	"strconv"
)

// requestShape is the part of an event's request that many requests share:
// method, path, query, content type and headers (auth values redacted), less
// a Content-Length equal to the body's size. Each distinct shape is stored
// once; events refer to it by id.
type requestShape struct {
	shape  []byte // see encode
	hash   uint64
	length bool // a Content-Length header equal to the size was left out
}

// newRequestShape encodes ev's request: length-prefixed fields (method,
// path, query, content type), then a name and a value per header value,
// names sorted.
func newRequestShape(ev *Event) requestShape {
	var r requestShape
	names := make([]string, 0, len(ev.Headers))
	for name := range ev.Headers {
		names = append(names, name)
	}
	slices.Sort(names)
	size := len(ev.Method) + len(ev.Path) + len(ev.Query) + len(ev.ContentType) + 8
	for _, name := range names {
		for _, v := range ev.Headers[name] {
			size += len(name) + len(v) + 4
		}
	}
	b := make([]byte, 0, size)
	for _, f := range []string{ev.Method, ev.Path, ev.Query, ev.ContentType} {
		b = appendField(b, f)
	}
	for _, name := range names {
		values := ev.Headers[name]
		if name == "Content-Length" && len(values) == 1 && values[0] == strconv.FormatInt(ev.Size, 10) {
			r.length = true
			continue
		}
		for _, v := range values {
			b = appendField(appendField(b, name), v)
		}
	}
	// FNV-1a, inline: the hasher's interface would cost an allocation.
	h := uint64(14695981039346656037)
	for _, c := range b {
		h = (h ^ uint64(c)) * 1099511628211
	}
	r.shape, r.hash = b, h
	return r
}

func appendField(b []byte, s string) []byte {
	return append(binary.AppendUvarint(b, uint64(len(s))), s...)
}

var errBadShape = errors.New("a stored request is damaged")

// setRequest fills ev's request fields from a stored shape.
func (ev *Event) setRequest(shape []byte, length bool) error {
	var fields []string
	for len(shape) > 0 {
		n, k := binary.Uvarint(shape)
		if k <= 0 || uint64(len(shape)-k) < n {
			return errBadShape
		}
		fields = append(fields, string(shape[k:k+int(n)]))
		shape = shape[k+int(n):]
	}
	if len(fields) < 4 || len(fields)%2 != 0 {
		return errBadShape
	}
	ev.Method, ev.Path, ev.Query, ev.ContentType = fields[0], fields[1], fields[2], fields[3]
	ev.Headers = http.Header{}
	for i := 4; i < len(fields); i += 2 {
		ev.Headers[fields[i]] = append(ev.Headers[fields[i]], fields[i+1])
	}
	if length {
		ev.Headers["Content-Length"] = []string{strconv.FormatInt(ev.Size, 10)}
	}
	return nil
}
