//go:build unix

package main

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"sync"
	"testing"
)

// TestConcurrentConnectionChangesLoseNothing: processes adding, removing and
// switching connections at once lose no entry and leave no key without its
// entry; of two processes adding one name, one wins and the other exits 2.
func TestConcurrentConnectionChangesLoseNothing(t *testing.T) {
	bin := buildIWB(t)
	home := t.TempDir()
	env := baseEnv("IWB_HOME="+home, "IWB_KEYRING_BACKEND=file", "IWB_KEYRING_PASSPHRASE=x")
	const key = "0123456789abcdef0123456789ab3f2a"
	const workers, each = 3, 6
	var wg sync.WaitGroup
	codes := make(chan int, 2)
	for w := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range each {
				if r := runIWB(t, bin, env, key, "connection", "add", fmt.Sprintf("c%d-%d", w, i)); r.code != 0 {
					t.Errorf("add c%d-%d: exit %d %s", w, i, r.code, r.stderr)
				}
				if i > 0 {
					runIWB(t, bin, env, "", "connection", "use", fmt.Sprintf("c%d-%d", w, i-1))
				}
			}
			// Each worker removes its first connection again.
			if r := runIWB(t, bin, env, "", "connection", "remove", fmt.Sprintf("c%d-0", w)); r.code != 0 {
				t.Errorf("remove c%d-0: exit %d %s", w, r.code, r.stderr)
			}
		}()
	}
	for range 2 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			codes <- runIWB(t, bin, env, key, "connection", "add", "same").code
		}()
	}
	wg.Wait()
	close(codes)
	var got []int
	for c := range codes {
		got = append(got, c)
	}
	sort.Ints(got)
	if fmt.Sprint(got) != "[0 2]" {
		t.Errorf("two processes adding one name exited %v, want one 0 and one 2", got)
	}

	r := runIWB(t, bin, env, "", "connection", "list", "--json")
	var listed []listedConnection
	if err := json.Unmarshal([]byte(r.stdout), &listed); err != nil {
		t.Fatalf("list --json: %v %s", err, r.stderr)
	}
	want := workers*(each-1) + 1
	if len(listed) != want {
		t.Errorf("%d connections listed, want %d: %+v", len(listed), want, listed)
	}
	for _, c := range listed {
		if !c.KeyInKeyring {
			t.Errorf("%s has no key in the keyring", c.Name)
		}
	}
	keys, _ := filepath.Glob(filepath.Join(home, "keyring", "*"))
	if len(keys) != want {
		t.Errorf("%d keys in the keyring for %d connections: %v", len(keys), want, keys)
	}
	if _, err := os.Stat(filepath.Join(home, "config.json")); err != nil {
		t.Fatal(err)
	}
}

func TestAddReplaceSwapsTheKey(t *testing.T) {
	bin := buildIWB(t)
	home := t.TempDir()
	env := baseEnv("IWB_HOME="+home, "IWB_KEYRING_BACKEND=file", "IWB_KEYRING_PASSPHRASE=x")
	if r := runIWB(t, bin, env, "0123456789abcdef0123456789ab3f2a", "connection", "add", "work"); r.code != 0 {
		t.Fatalf("add: %d %s", r.code, r.stderr)
	}
	if r := runIWB(t, bin, env, "ffffffffffffffffffffffffffff9999", "connection", "add", "work", "--region", "eu"); r.code != 2 {
		t.Errorf("adding an existing name: exit %d, want 2", r.code)
	}
	if r := runIWB(t, bin, env, "ffffffffffffffffffffffffffff9999", "connection", "add", "work", "--region", "eu", "--replace"); r.code != 0 {
		t.Fatalf("add --replace: exit %d %s", r.code, r.stderr)
	}
	r := runIWB(t, bin, env, "", "connection", "list", "--json")
	var listed []listedConnection
	if err := json.Unmarshal([]byte(r.stdout), &listed); err != nil {
		t.Fatal(err)
	}
	if len(listed) != 1 || listed[0].Region != "eu" || listed[0].MaskedKey != "••••••••••••9999" {
		t.Errorf("after --replace: %+v", listed)
	}
}
