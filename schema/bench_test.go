package schema

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strconv"
	"sync"
	"testing"
)

// tenMBOfEvents is a JSON array of the project's event fixtures, repeated
// with changing ids until it passes 10 MB.
var tenMBOfEvents = sync.OnceValue(func() []byte {
	files, _ := filepath.Glob(filepath.Join("testdata", "events", "*.json"))
	var events [][]byte
	for _, name := range files {
		var v any
		data, err := os.ReadFile(name)
		if err == nil {
			err = DecodeJSON(data, &v)
		}
		if err != nil {
			panic(err)
		}
		compact, _ := json.Marshal(v)
		events = append(events, compact)
	}
	var b bytes.Buffer
	b.WriteByte('[')
	for i := 0; b.Len() < 10<<20; i++ {
		if i > 0 {
			b.WriteByte(',')
		}
		ev := events[i%len(events)]
		// Vary the numbers so the input is not one event over and over.
		b.Write(bytes.Replace(ev, []byte(`"campaignId":`), []byte(`"seq":`+strconv.Itoa(i)+`,"campaignId":`), 1))
	}
	b.WriteByte(']')
	return b.Bytes()
})

func BenchmarkInfer10MB(b *testing.B) {
	data := tenMBOfEvents()
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Infer(data); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkDecodeAny10MB is the yardstick: encoding/json decoding the same
// bytes into any.
func BenchmarkDecodeAny10MB(b *testing.B) {
	data := tenMBOfEvents()
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	for b.Loop() {
		var v any
		if err := json.Unmarshal(data, &v); err != nil {
			b.Fatal(err)
		}
	}
}
