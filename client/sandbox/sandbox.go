package sandbox

import (
	"bytes"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/iwb-dev/iwb/client"
)

// ProjectID names the sandbox's project in messages, as Iterable does.
const ProjectID = 10001

// Options configure a Sandbox; the zero value is a working sandbox.
type Options struct {
	// Key is the only API key accepted; default: a generated one.
	Key string
	// Rates overrides client.PublishedLimits per "METHOD /path" (requests/s).
	Rates map[string]float64
	// Unlimited lifts every rate limit (benchmarks).
	Unlimited bool
	// Stateless validates bulk writes and keeps field types but not the
	// users: for load benchmarks whose memory must be the client's.
	Stateless bool
	// WebhookURL sets and enables the system webhook, as POST /api/webhooks would.
	WebhookURL string
	HTTPClient *http.Client // for webhook deliveries
	Logger     *slog.Logger
}

// Sandbox is one fake Iterable project. Close it to stop webhook deliveries.
type Sandbox struct {
	key       string
	stateless bool
	log       *slog.Logger
	http      *http.Client
	limits    map[string]*window
	limited   atomic.Int64

	mu         sync.Mutex
	users      map[string]*user // by email
	byUserID   map[string]*user
	fieldTypes map[string]map[string]string // category ("user", "event:NAME") → dotted path → type
	lists      []client.List
	nextListID int64
	webhook    webhookConfig

	deliveries chan delivery
	stop       chan struct{}
	done       chan struct{}
	closeOnce  sync.Once
}

type user struct {
	email, userID string
	dataFields    map[string]any
	listIDs       []int64
	// Subscription fields as updateSubscriptions last set them (nil: never sent).
	unsubscribedChannelIDs, unsubscribedMessageTypeIDs, subscribedMessageTypeIDs []int64
	signupDate, updatedAt                                                        time.Time
	events                                                                       []trackedEvent
}

type trackedEvent struct {
	ID                     string
	EventName              string
	CreatedAt              int64 // unix seconds
	DataFields             map[string]any
	CampaignID, TemplateID *int64
}

// maxEventsPerUser bounds the memory of a long demo.
const maxEventsPerUser = 200

// New makes a sandbox with its seeded project: channels, message types,
// journeys, a list, a few users, and the system webhook (id 1, disabled).
func New(opts Options) *Sandbox {
	s := &Sandbox{
		key:        opts.Key,
		stateless:  opts.Stateless,
		log:        opts.Logger,
		http:       opts.HTTPClient,
		limits:     map[string]*window{},
		users:      map[string]*user{},
		byUserID:   map[string]*user{},
		fieldTypes: map[string]map[string]string{"user": {}},
		nextListID: firstListID,
		webhook:    webhookConfig{Webhook: client.Webhook{ID: 1, AuthType: "NoAuth", ChannelIDs: []int64{}, MessageTypeIDs: []int64{}}},
		deliveries: make(chan delivery, 1024),
		stop:       make(chan struct{}),
		done:       make(chan struct{}),
	}
	if s.key == "" {
		s.key = NewKey()
	}
	if s.log == nil {
		s.log = slog.New(slog.DiscardHandler)
	}
	if s.http == nil {
		s.http = &http.Client{Timeout: 10 * time.Second}
	}
	if !opts.Unlimited {
		for endpoint, rate := range client.PublishedLimits {
			s.limits[endpoint] = newWindow(rate)
		}
		for endpoint, rate := range opts.Rates {
			s.limits[endpoint] = newWindow(rate)
		}
	}
	s.seed()
	if opts.WebhookURL != "" {
		s.SetWebhook(opts.WebhookURL)
	}
	go s.deliverLoop()
	return s
}

// NewKey makes a key in Iterable's format: 32 lowercase hex characters.
func NewKey() string {
	b := make([]byte, 16)
	_, _ = rand.Read(b) // never fails (crypto/rand)
	return hex.EncodeToString(b)
}

// Key is the only API key the sandbox accepts.
func (s *Sandbox) Key() string { return s.key }

// RateLimited counts the 429s answered so far.
func (s *Sandbox) RateLimited() int64 { return s.limited.Load() }

// Close stops webhook deliveries; the handler keeps answering.
func (s *Sandbox) Close() {
	s.closeOnce.Do(func() { close(s.stop) })
	<-s.done
}

// Handler answers the API.
func (s *Sandbox) Handler() http.Handler {
	mux := http.NewServeMux()
	for pattern, h := range s.routes() {
		mux.Handle(pattern, s.guard(pattern, h))
	}
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		if !s.authorized(r) {
			writeError(w, "BadApiKey", "Invalid API key", nil)
			return
		}
		writeError(w, "NotFound", "No such endpoint: "+r.Method+" "+r.URL.Path, nil)
	})
	return mux
}

// routes are the endpoints the sandbox serves, by "METHOD /path" pattern.
func (s *Sandbox) routes() map[string]http.HandlerFunc {
	return map[string]http.HandlerFunc{
		"POST /api/lists/subscribe":           s.subscribe,
		"POST /api/users/bulkUpdate":          s.bulkUpdate,
		"GET /api/lists":                      s.getLists,
		"POST /api/lists":                     s.createList,
		"GET /api/users/getByEmail":           s.userRead(true, fromQuery("email")),
		"GET /api/users/{email}":              s.userRead(true, fromPath("email")),
		"GET /api/users/byUserId":             s.userRead(false, fromQuery("userId")),
		"GET /api/users/byUserId/{userId}":    s.userRead(false, fromPath("userId")),
		"GET /api/events/{email}":             s.eventsRead(true, fromPath("email")),
		"GET /api/events/byUserId/{userId}":   s.eventsRead(false, fromPath("userId")),
		"GET /api/campaigns":                  s.getCampaigns,
		"GET /api/channels":                   s.getChannels,
		"POST /api/sms/target":                s.sendSMS,
		"POST /api/events/track":              s.track,
		"POST /api/users/updateSubscriptions": s.updateSubscriptions,
		"POST /api/users/update":              s.updateUser,
		"GET /api/users/getFields":            s.getFields,
		"GET /api/messageTypes":               s.getMessageTypes,
		"GET /api/journeys":                   s.getJourneys,
		"GET /api/webhooks":                   s.getWebhooks,
		"POST /api/webhooks":                  s.postWebhook,
	}
}

// guard checks the key, then the endpoint's rate, as Iterable does.
func (s *Sandbox) guard(endpoint string, h http.HandlerFunc) http.Handler {
	lim := s.limits[endpoint]
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !s.authorized(r) {
			writeError(w, "BadApiKey", "Invalid API key", nil)
			return
		}
		if lim != nil && !lim.allow(time.Now()) {
			s.limited.Add(1)
			writeError(w, "RateLimitExceeded",
				fmt.Sprintf("Rate limit exceeded for %s: %g requests per second", endpoint, lim.rate), nil)
			return
		}
		h(w, r)
	})
}

// authorized accepts Api-Key or Api_Key, in any case.
func (s *Sandbox) authorized(r *http.Request) bool {
	for name, values := range r.Header {
		n := strings.ToLower(name)
		if (n == "api-key" || n == "api_key") && len(values) > 0 && values[0] == s.key {
			return true
		}
	}
	return false
}

// window is a token bucket holding one second of requests at the rate.
type window struct {
	mu     sync.Mutex
	rate   float64
	tokens float64
	last   time.Time
}

func newWindow(rate float64) *window {
	return &window{rate: rate, tokens: max(rate, 1)}
}

func (w *window) allow(now time.Time) bool {
	w.mu.Lock()
	defer w.mu.Unlock()
	if !w.last.IsZero() {
		w.tokens = min(max(w.rate, 1), w.tokens+now.Sub(w.last).Seconds()*w.rate)
	}
	w.last = now
	if w.tokens < 1 {
		return false
	}
	w.tokens--
	return true
}

// writeJSON answers 200-style bodies.
func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

// errorStatus is the HTTP status Iterable answers with each error code the
// sandbox uses; every code is one of Iterable's IterableApiResponse codes.
var errorStatus = map[string]int{
	"BadApiKey":                    http.StatusUnauthorized,
	"BadJsonBody":                  http.StatusBadRequest,
	"BadParams":                    http.StatusBadRequest,
	"BatchTooLarge":                http.StatusBadRequest,
	"InvalidEmailAddressError":     http.StatusBadRequest,
	"RequestFieldsTypesMismatched": http.StatusBadRequest,
	"UnknownEmailError":            http.StatusBadRequest,
	"UnknownUserIdError":           http.StatusBadRequest,
	"NotFound":                     http.StatusNotFound,
	"ExternalKeyConflict":          http.StatusConflict,
	"RateLimitExceeded":            http.StatusTooManyRequests,
}

// writeError answers Iterable's error shape with the code's status.
func writeError(w http.ResponseWriter, code, msg string, params map[string]any) {
	status, ok := errorStatus[code]
	if !ok {
		status = http.StatusInternalServerError // a code missing above: caught by the error walk test
	}
	writeJSON(w, status, map[string]any{"msg": msg, "code": code, "params": params})
}

func writeSuccess(w http.ResponseWriter, msg string, params map[string]any) {
	writeJSON(w, http.StatusOK, map[string]any{"msg": msg, "code": "Success", "params": params})
}

// readBody decodes the request into v as Iterable would: over 4 MB is
// BatchTooLarge, bad JSON or a wrong type is BadJsonBody. Numbers in free
// objects (dataFields) stay json.Number so long and double can be told apart.
func readBody(w http.ResponseWriter, r *http.Request, v any) bool {
	body, err := io.ReadAll(io.LimitReader(r.Body, client.MaxBatchBytes+1))
	if err != nil {
		writeError(w, "BadJsonBody", "Could not read the body", nil)
		return false
	}
	if len(body) > client.MaxBatchBytes {
		writeError(w, "BatchTooLarge",
			fmt.Sprintf("[%s] Request body is over the limit of %d bytes", r.URL.Path, client.MaxBatchBytes), nil)
		return false
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.UseNumber()
	if err := dec.Decode(v); err != nil {
		params := map[string]any{}
		var typeErr *json.UnmarshalTypeError
		if errors.As(err, &typeErr) {
			params["obj."+typeErr.Field] = expectedValue(typeErr.Type.Kind().String())
		} else {
			params["obj"] = err.Error()
		}
		writeError(w, "BadJsonBody", "["+r.URL.Path+"] Invalid JSON body", params)
		return false
	}
	return true
}

func expectedValue(kind string) string {
	switch {
	case strings.HasPrefix(kind, "int"), strings.HasPrefix(kind, "float"):
		return "Numeric value expected"
	case kind == "bool":
		return "Boolean value expected"
	case kind == "string":
		return "String value expected"
	case kind == "slice":
		return "Array value expected"
	default:
		return "Object value expected"
	}
}

func badParams(w http.ResponseWriter, msg string) {
	writeError(w, "BadParams", msg, nil)
}
