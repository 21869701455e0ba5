// Package keystore keeps iwb's named connections: names, regions and the
// default in the config file, each API key only in the OS keyring (service
// "iwb", item = the connection's name).
//
// It never prints: it returns values and errors and logs through log/slog,
// and no key ever reaches a log, an error or a file in clear.
package keystore

import (
	"errors"
	"fmt"
	"log/slog"
	"os"
	"runtime"
	"strings"
	"sync"

	"github.com/iwb-dev/iwb/internal/secret"

	"github.com/99designs/keyring"

	"github.com/iwb-dev/iwb/keystore/internal/busguard"
)

func init() {
	// keyring's init has run by now (this package imports it): give child
	// processes the D-Bus address the user had.
	busguard.Restore()
}

// Options say where the keystore keeps things and how it reaches the keyring.
type Options struct {
	ConfigFile string // config.json
	KeyringDir string // the file backend's folder
	// Backend forces one keyring backend (IWB_KEYRING_BACKEND); empty tries the
	// operating system's list.
	Backend string
	// Passphrase gives the file backend's passphrase. It is called only when
	// the file backend first needs it (a passphrase it returns is kept for the
	// Store's life); nil means there is no way to get one (ErrNoPassphrase).
	Passphrase func(PassphraseRequest) (string, error)
	Log        *slog.Logger // nil: slog.Default()
}

// Store is the keystore of one iwb home. Its methods are safe for concurrent
// use; each reads the config file afresh.
type Store struct {
	opts     Options
	backends []keyring.BackendType // the forced one, or the OS's list
	forced   bool
	log      *slog.Logger

	mu    sync.Mutex // guards rings and the config file's read-modify-write
	rings map[keyring.BackendType]*ring
}

// Open prepares a store. It does not touch the keyring yet: commands that only
// read names never need the keyring or its passphrase.
func Open(opts Options) (*Store, error) {
	backends, err := backendsFor(opts.Backend, runtime.GOOS)
	if err != nil {
		return nil, err
	}
	log := opts.Log
	if log == nil {
		log = slog.Default()
	}
	return &Store{opts: opts, backends: backends, forced: opts.Backend != "", log: log,
		rings: map[keyring.BackendType]*ring{}}, nil
}

// Entry is a connection as listed: no key, only whether it is the default.
type Entry struct {
	Connection
	Default bool
}

// List returns the connections in the order they were added.
func (s *Store) List() ([]Entry, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	cfg, err := loadConfig(s.opts.ConfigFile)
	if err != nil {
		return nil, err
	}
	entries := make([]Entry, len(cfg.Connections))
	for i, c := range cfg.Connections {
		entries[i] = Entry{Connection: c, Default: c.Name == cfg.Default}
	}
	return entries, nil
}

// Resolve returns the named connection, or the default one when name is "".
func (s *Store) Resolve(name string) (Connection, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	cfg, err := loadConfig(s.opts.ConfigFile)
	if err != nil {
		return Connection{}, err
	}
	if name == "" {
		if cfg.Default == "" {
			return Connection{}, ErrNoConnection
		}
		name = cfg.Default
	}
	i := cfg.find(name)
	if i < 0 {
		return Connection{}, notFound(name)
	}
	return cfg.Connections[i], nil
}

func notFound(name string) error {
	return fmt.Errorf("%w %q: see 'iwb connection list'", ErrConnectionNotFound, name)
}

// Key reads a connection's API key from the keyring that holds it.
func (s *Store) Key(name string) (string, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	cfg, err := loadConfig(s.opts.ConfigFile)
	if err != nil {
		return "", err
	}
	i := cfg.find(name)
	if i < 0 {
		return "", notFound(name)
	}
	r, err := s.ringFor(cfg.Connections[i])
	if err != nil {
		return "", fmt.Errorf("reading the key of %q: %w", name, err)
	}
	key, err := r.get(name)
	if errors.Is(err, ErrKeyNotFound) {
		return "", fmt.Errorf("reading the key of %q from %s: %w (remove the connection and add it again)", name, r.backend, err)
	}
	if err != nil {
		return "", fmt.Errorf("reading the key of %q from %s: %w", name, r.backend, err)
	}
	return key, nil
}

// Check validates a connection about to be added, before its key is asked
// for: the name (and that it is free, unless replace), the region and the
// base URL. It returns the connection as it would be stored.
func (s *Store) Check(c Connection, replace bool) (Connection, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	cfg, err := loadConfig(s.opts.ConfigFile)
	if err != nil {
		return Connection{}, err
	}
	return check(cfg, c, replace)
}

func check(cfg *config, c Connection, replace bool) (Connection, error) {
	if err := ValidateName(c.Name); err != nil {
		return Connection{}, err
	}
	region, err := ParseRegion(string(c.Region))
	if err != nil {
		return Connection{}, err
	}
	c.Region = region
	if c.BaseURL != "" {
		if err := ValidateBaseURL(c.BaseURL); err != nil {
			return Connection{}, err
		}
		c.BaseURL = strings.TrimRight(c.BaseURL, "/")
	}
	if !replace && cfg.find(c.Name) >= 0 {
		return Connection{}, invalidf("a connection named %q already exists: remove it first, pick another name, or give --replace", c.Name)
	}
	return c, nil
}

// change runs a read-change-write of the config under the config lock, so
// that no other process changes it in between.
func (s *Store) change(f func(cfg *config) error) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	unlock, err := lockConfig(s.opts.ConfigFile)
	if err != nil {
		return err
	}
	defer unlock()
	cfg, err := loadConfig(s.opts.ConfigFile)
	if err != nil {
		return err
	}
	return f(cfg)
}

// Add stores a new connection: the key in the keyring, the rest in the config
// file. Bad input, a name already taken included, is an ErrInvalid error and
// nothing is written. The first connection becomes the default, as does any
// added with makeDefault.
func (s *Store) Add(c Connection, key string, makeDefault bool) (Entry, error) {
	return s.add(c, key, makeDefault, false)
}

// Replace is Add that replaces a connection of the same name, key and all.
func (s *Store) Replace(c Connection, key string, makeDefault bool) (Entry, error) {
	return s.add(c, key, makeDefault, true)
}

func (s *Store) add(c Connection, key string, makeDefault, replace bool) (Entry, error) {
	var added Entry
	err := s.change(func(cfg *config) error {
		c, err := check(cfg, c, replace)
		if err != nil {
			return err
		}
		if err := ValidateKey(key); err != nil {
			return err
		}
		r, err := s.openRing(s.backends)
		if err != nil {
			return err
		}
		i := cfg.find(c.Name)
		var old *Connection
		var oldKey string
		if i >= 0 {
			old = &cfg.Connections[i]
			if old.Backend == "" || old.Backend == string(r.backend) {
				// The new key overwrites the old one: keep it to put back.
				oldKey, _ = r.get(c.Name)
			}
		}
		if err := r.set(c.Name, key); err != nil {
			return fmt.Errorf("storing the key of %q in %s: %w", c.Name, r.backend, err)
		}
		c.Backend = string(r.backend)
		oldBackend := ""
		if old != nil {
			oldBackend = old.Backend
			*old = c
		} else {
			cfg.Connections = append(cfg.Connections, c)
		}
		if makeDefault || cfg.Default == "" {
			cfg.Default = c.Name
		}
		if err := cfg.save(s.opts.ConfigFile); err != nil {
			// Leave the keyring as the config says: no orphan, no lost key.
			var rerr error
			if oldKey != "" {
				rerr = r.set(c.Name, oldKey)
			} else {
				rerr = r.remove(c.Name)
			}
			if rerr != nil {
				s.log.Warn("restoring the keyring after the config could not be saved", "connection", c.Name, "err", rerr)
			}
			return err
		}
		if oldBackend != "" && oldBackend != c.Backend {
			s.removeOldKey(c.Name, oldBackend)
		}
		s.log.Info("connection added", "connection", c.Name, "region", c.Region, "baseURL", c.Endpoint(),
			"backend", r.backend, "key", secret.Mask(key), "default", cfg.Default == c.Name, "replaced", old != nil)
		added = Entry{Connection: c, Default: cfg.Default == c.Name}
		return nil
	})
	return added, err
}

// removeOldKey deletes the key a replaced connection kept in another
// keyring; failing to only leaves that key behind, which is logged.
func (s *Store) removeOldKey(name, backend string) {
	r, err := s.openRing([]keyring.BackendType{keyring.BackendType(backend)})
	if err == nil {
		err = r.remove(name)
	}
	if err != nil && !errors.Is(err, ErrKeyNotFound) {
		s.log.Warn("removing the replaced connection's old key", "connection", name, "backend", backend, "err", err)
	}
}

// Removed says what Remove did to the default.
type Removed struct {
	WasDefault bool   // the removed connection was the default
	Default    string // the default now ("" when no connection is left)
}

// Remove deletes a connection and its key. When it was the default, the first
// remaining connection becomes the default. The key goes first, so a locked
// keyring leaves everything as it was.
func (s *Store) Remove(name string) (Removed, error) {
	var removed Removed
	err := s.change(func(cfg *config) error {
		i := cfg.find(name)
		if i < 0 {
			return notFound(name)
		}
		r, err := s.ringFor(cfg.Connections[i])
		if err != nil {
			return fmt.Errorf("removing the key of %q: %w", name, err)
		}
		if err := r.remove(name); err != nil && !errors.Is(err, ErrKeyNotFound) {
			return fmt.Errorf("removing the key of %q from %s: %w", name, r.backend, err)
		}
		cfg.Connections = append(cfg.Connections[:i], cfg.Connections[i+1:]...)
		wasDefault := cfg.Default == name
		if wasDefault {
			cfg.Default = ""
			if len(cfg.Connections) > 0 {
				cfg.Default = cfg.Connections[0].Name
			}
		}
		if err := cfg.save(s.opts.ConfigFile); err != nil {
			return err
		}
		s.log.Info("connection removed", "connection", name, "backend", r.backend, "default", cfg.Default)
		removed = Removed{WasDefault: wasDefault, Default: cfg.Default}
		return nil
	})
	return removed, err
}

// Use makes a connection the default.
func (s *Store) Use(name string) error {
	return s.change(func(cfg *config) error {
		if cfg.find(name) < 0 {
			return notFound(name)
		}
		cfg.Default = name
		if err := cfg.save(s.opts.ConfigFile); err != nil {
			return err
		}
		s.log.Info("default connection set", "connection", name)
		return nil
	})
}

// ringFor opens the keyring holding a connection's key: the backend recorded
// when it was added, unless IWB_KEYRING_BACKEND forces one.
func (s *Store) ringFor(c Connection) (*ring, error) {
	if c.Backend == "" || s.forced {
		return s.openRing(s.backends)
	}
	return s.openRing([]keyring.BackendType{keyring.BackendType(c.Backend)})
}

// openRing opens the first backend of the list that works; each backend is
// opened at most once per Store. The caller holds s.mu.
func (s *Store) openRing(backends []keyring.BackendType) (*ring, error) {
	var failed []string
	for _, b := range backends {
		if r, ok := s.rings[b]; ok {
			return r, nil
		}
		kr, err := keyring.Open(s.keyringConfig(b))
		if err != nil {
			// keyring.Open hides the backend's reason behind ErrNoAvailImpl.
			failed = append(failed, fmt.Sprintf("%s is not available here", b))
			s.log.Debug("keyring backend unavailable", "backend", b, "err", err)
			continue
		}
		s.log.Debug("keyring opened", "backend", b)
		r := &ring{kr: kr, backend: b}
		s.rings[b] = r
		return r, nil
	}
	return nil, fmt.Errorf("%w: %s (IWB_KEYRING_BACKEND=file keeps keys in a passphrase-encrypted file)",
		ErrKeyringUnavailable, strings.Join(failed, "; "))
}

func (s *Store) keyringConfig(b keyring.BackendType) keyring.Config {
	return keyring.Config{
		AllowedBackends:                []keyring.BackendType{b},
		ServiceName:                    Service,
		KeychainTrustApplication:       true,
		KeychainAccessibleWhenUnlocked: true,
		FileDir:                        s.opts.KeyringDir,
		FilePasswordFunc:               s.filePassphrase,
		KeyCtlScope:                    "user",
		KWalletAppID:                   Service,
		KWalletFolder:                  Service,
		LibSecretCollectionName:        secretServiceCollection,
		PassPrefix:                     Service,
		WinCredPrefix:                  Service,
	}
}

// filePassphrase is the file backend's passphrase function: the caller's,
// never the library's own terminal prompt.
func (s *Store) filePassphrase(string) (string, error) {
	if s.opts.Passphrase == nil {
		return "", &passphraseError{ErrNoPassphrase}
	}
	entries, _ := os.ReadDir(s.opts.KeyringDir)
	p, err := s.opts.Passphrase(PassphraseRequest{Dir: s.opts.KeyringDir, New: len(entries) == 0})
	if err != nil {
		return "", &passphraseError{err}
	}
	if p == "" {
		return "", &passphraseError{fmt.Errorf("the passphrase is empty: %w", ErrNoPassphrase)}
	}
	return p, nil
}
