package client_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/iwb-dev/iwb/client"
)

func TestCSVMustBeUTF8WithOneColumnPerName(t *testing.T) {
	for _, body := range []string{"email,plan\r\n", "\ufeffemail,plan\n"} {
		users, err := client.NewCSVUsers(strings.NewReader(body+"a@x.io,gold\n"), nil)
		if err != nil {
			t.Fatalf("%q: %v", body, err)
		}
		if _, err := users.Next(); err != nil {
			t.Errorf("%q: %v", body, err)
		}
	}
	// Latin-1: "Zoë" is 5a 6f eb.
	users, err := client.NewCSVUsers(strings.NewReader("email,name\na@x.io,Zo\xeb\n"), nil)
	if err != nil {
		t.Fatal(err)
	}
	_, err = users.Next()
	var rowErr *client.RowError
	if !errors.As(err, &rowErr) || rowErr.Problems[0].Line != 2 || !strings.Contains(rowErr.Problems[0].Why, "UTF-8") {
		t.Errorf("a Latin-1 cell: %v, want line 2 named as not UTF-8", err)
	}
	if _, err := client.NewCSVUsers(strings.NewReader("email,plan,email\n"), nil); err == nil || !strings.Contains(err.Error(), `"email" twice`) {
		t.Errorf("a duplicate header: %v", err)
	}
	if _, err := client.NewCSVUsers(strings.NewReader("email,pl\xe4n\n"), nil); err == nil || !strings.Contains(err.Error(), "line 1") {
		t.Errorf("a Latin-1 header: %v", err)
	}
}
