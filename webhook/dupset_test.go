package webhook

import (
	"context"
	"testing"
)

func TestDupSetForgetsTheOldestKeyWhenFull(t *testing.T) {
	d := newDupSet(3)
	for k := range dupKey(5) {
		d.note(dupNote{k + 2, dupSeen{first: int64(k) + 1}})
	}
	for k, want := range map[dupKey]bool{2: false, 3: false, 4: true, 5: true, 6: true} {
		if _, ok := d.find(k); ok != want {
			t.Errorf("key %d held: %v, want %v", k, ok, want)
		}
	}
	// A newer copy of a held key keeps the first copy's id.
	d.note(dupNote{4, dupSeen{first: 3, at: 99}})
	if n, _ := d.find(4); n.first != 3 || n.at != 99 {
		t.Errorf("after a newer copy: %+v", n)
	}
}

func TestDuplicatesAreFoundAfterAReopen(t *testing.T) {
	path := t.TempDir() + "/events.db"
	st := openStoreAt(t, path, StoreOptions{})
	first := appendAll(t, st, systemBody("emailOpen", "m-9"), []byte(`{"plain":"body"}`))
	if err := st.Close(); err != nil {
		t.Fatal(err)
	}
	st = openStoreAt(t, path, StoreOptions{})
	again := appendAll(t, st, systemBody("emailOpen", "m-9"), []byte(`{"plain":"body"}`), systemBody("emailOpen", "m-10"))
	if again[0].DuplicateOf != first[0].ID || again[1].DuplicateOf != first[1].ID || again[2].DuplicateOf != 0 {
		t.Errorf("after reopening: duplicate of %d, %d, %d; want %d, %d, 0",
			again[0].DuplicateOf, again[1].DuplicateOf, again[2].DuplicateOf, first[0].ID, first[1].ID)
	}
	if ev, _ := st.Get(context.Background(), again[0].ID); ev.DuplicateOf != first[0].ID {
		t.Errorf("stored duplicate mark %d", ev.DuplicateOf)
	}
}
