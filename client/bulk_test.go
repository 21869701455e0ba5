package client_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"runtime"
	"runtime/metrics"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/iwb-dev/iwb/client"
	"github.com/iwb-dev/iwb/client/sandbox"
)

// generatedUsers streams n users as JSON Lines without holding them.
type generatedUsers struct {
	n, next int
	pad     string
	buf     []byte
}

func (g *generatedUsers) Read(p []byte) (int, error) {
	for len(g.buf) == 0 {
		if g.next == g.n {
			return 0, io.EOF
		}
		g.buf = fmt.Appendf(g.buf[:0], `{"email":"user%d@example.com","dataFields":{"plan":"pro","score":%d,"note":"%s"}}`+"\n", g.next, g.next%1000, g.pad)
		g.next++
	}
	n := copy(p, g.buf)
	g.buf = g.buf[n:]
	return n, nil
}

func bulkAction(t testing.TB, name string) client.Action {
	a, ok := client.LookupAction(name)
	if !ok {
		t.Fatalf("no action %s", name)
	}
	return a
}

// usersPerRequest decodes every recorded bulk body.
func usersPerRequest(t *testing.T, reqs []recorded, field string) (counts []int, sizes []int) {
	t.Helper()
	for _, r := range reqs {
		var body map[string]json.RawMessage
		if err := json.Unmarshal(r.Body, &body); err != nil {
			t.Fatalf("a request body is not JSON: %v", err)
		}
		var users []json.RawMessage
		if err := json.Unmarshal(body[field], &users); err != nil {
			t.Fatalf("%s: %v", field, err)
		}
		counts = append(counts, len(users))
		sizes = append(sizes, len(r.Body))
	}
	return counts, sizes
}

func TestStreamFillsRequestsTo1000Users(t *testing.T) {
	e := newEnv(t, sandbox.Options{Unlimited: true}, client.Options{Unlimited: true})
	var progress []client.BulkProgress
	s := client.Streamer{Client: e.c, Action: bulkAction(t, "bulk-upsert-users"), Fields: []byte(`{"createNewFields":true}`),
		Progress: func(p client.BulkProgress) { progress = append(progress, p) }}
	sum, err := s.Stream(context.Background(), client.NewJSONLUsers(&generatedUsers{n: 2500}))
	if err != nil {
		t.Fatal(err)
	}
	if sum.Requests != 3 || sum.Sent != 2500 || sum.Succeeded != 2500 || sum.Failed != 0 {
		t.Errorf("summary %+v", sum)
	}
	counts, _ := usersPerRequest(t, e.rec.all(), "users")
	if fmt.Sprint(counts) != "[1000 1000 500]" {
		t.Errorf("users per request %v, want [1000 1000 500]", counts)
	}
	if !strings.HasPrefix(string(e.rec.all()[0].Body), `{"createNewFields":true,"users":[`) {
		t.Errorf("the other fields go with every request: %.60s", e.rec.all()[0].Body)
	}
	if len(progress) != 3 || progress[2] != (client.BulkProgress{Sent: 2500, Succeeded: 2500}) {
		t.Errorf("progress %+v", progress)
	}
}

func TestStreamFillsRequestsTo4MB(t *testing.T) {
	e := newEnv(t, sandbox.Options{Unlimited: true, Stateless: true}, client.Options{Unlimited: true})
	pad := strings.Repeat("x", 9000)
	s := client.Streamer{Client: e.c, Action: bulkAction(t, "bulk-upsert-users")}
	sum, err := s.Stream(context.Background(), client.NewJSONLUsers(&generatedUsers{n: 1200, pad: pad}))
	if err != nil {
		t.Fatal(err)
	}
	counts, sizes := usersPerRequest(t, e.rec.all(), "users")
	userSize := len(`{"email":"user1000@example.com","dataFields":{"note":"`+pad+`","plan":"pro","score":999}}`) + 1
	for i, size := range sizes {
		if size >= client.MaxBatchBytes {
			t.Errorf("request %d is %d bytes, over the limit", i, size)
		}
		if i < len(sizes)-1 && size+userSize < client.MaxBatchBytes {
			t.Errorf("request %d is %d bytes with %d users: another user of %d bytes would have fit", i, size, counts[i], userSize)
		}
	}
	if sum.Succeeded != 1200 || len(counts) < 3 {
		t.Errorf("summary %+v, counts %v", sum, counts)
	}
}

func TestStreamSummarisesFailedUsers(t *testing.T) {
	e := newEnv(t, sandbox.Options{Unlimited: true}, client.Options{Unlimited: true})
	in := `{"email":"good@example.com","dataFields":{"score":1}}
{"email":"no-at-sign"}

{"email":"clash@example.com","dataFields":{"score":"high"}}
{"userId":"u-9"}
`
	s := client.Streamer{Client: e.c, Action: bulkAction(t, "bulk-upsert-users"), MaxUsers: 2}
	sum, err := s.Stream(context.Background(), client.NewJSONLUsers(strings.NewReader(in)))
	if err != nil {
		t.Fatal(err)
	}
	if sum.Requests != 2 || sum.Sent != 4 || sum.Succeeded != 2 || sum.Failed != 2 {
		t.Errorf("summary %+v", sum)
	}
	if fmt.Sprint(sum.Users.InvalidEmails) != "[no-at-sign]" || fmt.Sprint(sum.Users.InvalidDataEmails) != "[clash@example.com]" {
		t.Errorf("failed users %+v", sum.Users)
	}
	var partial *client.BulkFailure
	if !errors.As(sum.Err(), &partial) || partial.FailCount != 2 {
		t.Errorf("a partial failure is not a success: %v", sum.Err())
	}
}

func TestStreamStopsAtABadLine(t *testing.T) {
	e := newEnv(t, sandbox.Options{Unlimited: true}, client.Options{Unlimited: true})
	in := "{\"email\":\"a@example.com\"}\n{\"email\":\"b@example.com\",\"dataFields\":[1]}\n"
	s := client.Streamer{Client: e.c, Action: bulkAction(t, "bulk-upsert-users")}
	_, err := s.Stream(context.Background(), client.NewJSONLUsers(strings.NewReader(in)))
	var inErr *client.InputError
	if !errors.As(err, &inErr) || !strings.Contains(err.Error(), "line 2") {
		t.Errorf("got %v, want an input error naming line 2", err)
	}
	if n := len(e.rec.all()); n != 0 {
		t.Errorf("%d requests sent before the bad line's batch was complete", n)
	}
}

func TestCSVSubscribersWithConverter(t *testing.T) {
	e := newEnv(t, sandbox.Options{Unlimited: true}, client.Options{Unlimited: true})
	ctx := context.Background()
	listID, err := e.c.CreateList(ctx, client.CreateListRequest{Name: "CSV import"})
	if err != nil {
		t.Fatal(err)
	}
	csvText := "\ufeffemail,userId,age,city\nmia@example.com,u-1,34,Porto\n,u-2,,Lyon\n"
	toInt := func(column, text string) (any, error) {
		if column == "age" {
			return strconv.Atoi(text)
		}
		return text, nil
	}
	src, err := client.OpenUsers("people.CSV", strings.NewReader(csvText), toInt)
	if err != nil {
		t.Fatal(err)
	}
	s := client.Streamer{Client: e.c, Action: bulkAction(t, "add-subscribers"), Fields: []byte(fmt.Sprintf(`{"listId":%d}`, listID))}
	sum, err := s.Stream(ctx, src)
	if err != nil || sum.Succeeded != 2 {
		t.Fatalf("summary %+v, %v", sum, err)
	}
	got := string(e.rec.last(t).Body)
	want := fmt.Sprintf(`{"listId":%d,"subscribers":[{"email":"mia@example.com","userId":"u-1","dataFields":{"age":34,"city":"Porto"}},{"userId":"u-2","dataFields":{"city":"Lyon"}}]}`, listID)
	if got != want {
		t.Errorf("body\n got %s\nwant %s", got, want)
	}
	fields, _ := e.c.UserFields(ctx)
	if fields["age"] != "long" || fields["city"] != "string" {
		t.Errorf("types from the converter: %v", fields)
	}
	u, err := e.c.GetUserByEmail(ctx, "mia@example.com")
	if err != nil {
		t.Fatal(err)
	}
	if ids := fmt.Sprint(u.DataFields["emailListIds"]); ids != fmt.Sprintf("[%d]", listID) {
		t.Errorf("emailListIds %s", ids)
	}

	if _, err := client.OpenUsers("people.csv", strings.NewReader("name,age\nx,1\n"), nil); err == nil {
		t.Error("a CSV without email or userId column was accepted")
	}
	if _, err := client.OpenUsers("people.xlsx", strings.NewReader(""), nil); err == nil {
		t.Error("an .xlsx was accepted")
	}
	bad, _ := client.OpenUsers("p.csv", strings.NewReader("email,age\na@example.com,old\n"), toInt)
	if _, err := bad.Next(); err == nil || !strings.Contains(err.Error(), `"age"`) {
		t.Errorf("a converter error names the column: %v", err)
	}
}

// BenchmarkBulkUpsertMillion streams 1,000,000 generated users from JSON
// Lines through bulk upsert into a sandbox whose limits are lifted, and
// reports users/s, peak heap and users per request.
func BenchmarkBulkUpsertMillion(b *testing.B) {
	const users = 1_000_000
	sb := sandbox.New(sandbox.Options{Unlimited: true, Stateless: true})
	defer sb.Close()
	var requests atomic.Int64
	srv := httptest.NewServer(countRequests(&requests, sb.Handler()))
	defer srv.Close()
	c, err := client.New(client.Options{BaseURL: srv.URL, Key: sb.Key(), Unlimited: true})
	if err != nil {
		b.Fatal(err)
	}
	runtime.GC()
	stopSampling, peak := sampleHeap()
	b.ResetTimer()
	start := time.Now()
	for range b.N {
		s := client.Streamer{Client: c, Action: bulkAction(b, "bulk-upsert-users")}
		sum, err := s.Stream(context.Background(), client.NewJSONLUsers(&generatedUsers{n: users}))
		if err != nil || sum.Succeeded != users {
			b.Fatalf("summary %+v, %v", sum, err)
		}
	}
	elapsed := time.Since(start)
	b.StopTimer()
	stopSampling()
	b.ReportMetric(float64(users*b.N)/elapsed.Seconds(), "users/s")
	b.ReportMetric(float64(peak.Load())/(1<<20), "peak-heap-MB")
	b.ReportMetric(float64(users*b.N)/float64(requests.Load()), "users/request")
	if peak.Load() >= 64<<20 {
		b.Errorf("peak heap %d MB, want under 64 MB", peak.Load()>>20)
	}
}

func countRequests(n *atomic.Int64, h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		n.Add(1)
		h.ServeHTTP(w, r)
	})
}

// sampleHeap records the largest live heap seen every few milliseconds.
func sampleHeap() (stop func(), peak *atomic.Uint64) {
	peak = new(atomic.Uint64)
	done := make(chan struct{})
	finished := make(chan struct{})
	samples := []metrics.Sample{{Name: "/memory/classes/heap/objects:bytes"}}
	go func() {
		defer close(finished)
		t := time.NewTicker(5 * time.Millisecond)
		defer t.Stop()
		for {
			metrics.Read(samples)
			if v := samples[0].Value.Uint64(); v > peak.Load() {
				peak.Store(v)
			}
			select {
			case <-done:
				return
			case <-t.C:
			}
		}
	}()
	return func() { close(done); <-finished }, peak
}

func TestCheckUsersFileListsEveryBadRowInLineOrder(t *testing.T) {
	dir := t.TempDir()
	write := func(name, text string) string {
		path := filepath.Join(dir, name)
		if err := os.WriteFile(path, []byte(text), 0o600); err != nil {
			t.Fatal(err)
		}
		return path
	}
	number := func(col, text string) (any, error) {
		if col != "visits" {
			return text, nil
		}
		n, err := strconv.Atoi(text)
		if err != nil {
			return nil, fmt.Errorf("%q is not a whole number", text)
		}
		return n, nil
	}
	for _, c := range []struct {
		name, text string
		users      int
		want       []string
	}{
		{"users.jsonl", "{\"email\":\"a@example.com\"}\n{\"email\":7}\n\n{\"userId\":\"u2\",\"dataFields\":[1]}\n{}\n{\"email\":\"b@example.com\"\n{\"email\":\"c@example.com\"}\n", 2, []string{
			`line 2, column "email": a string expected, got number`,
			`line 4, column "dataFields": an object expected, got array`,
			`line 5: a user needs "email" or "userId"`,
			`line 6: invalid JSON`,
		}},
		{"users.csv", "email,visits,plan\na@example.com,lots,pro\nb@example.com,3\n,4,free\nc@example.com,5,team\nd@example.com,many,\"x\"y\"\n", 1, []string{
			`line 2, column "visits": "lots" is not a whole number`,
			`line 3: 2 cells where the header has 3 columns`,
			`line 4: a user needs an email or a userId`,
			`line 6: `,
		}},
	} {
		got, err := client.CheckUsersFile(write(c.name, c.text), number)
		if err != nil {
			t.Fatalf("%s: %v", c.name, err)
		}
		if got.Users != c.users || len(got.Problems) != len(c.want) {
			t.Errorf("%s: %d users, problems %v; want %d users, %d problems", c.name, got.Users, got.Problems, c.users, len(c.want))
			continue
		}
		for i, w := range c.want {
			if s := got.Problems[i].String(); !strings.HasPrefix(s, w) {
				t.Errorf("%s problem %d: %q, want %q…", c.name, i, s, w)
			}
		}
		var bad *client.BadRowsError
		if !errors.As(got.Err(), &bad) || bad.Rows() != len(c.want) {
			t.Errorf("%s: Err() %v", c.name, got.Err())
		}
	}
	if _, err := client.CheckUsersFile(write("users.txt", "x"), nil); err == nil {
		t.Error("a .txt file was read")
	}
	if _, err := client.CheckUsersFile(write("h.csv", "name,plan\nx,y\n"), nil); err == nil {
		t.Error("a CSV without email or userId columns was read")
	}
}
