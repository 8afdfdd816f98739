package modelgate

import (
	"encoding/json"
	"os"
	"path/filepath"

	v1 "modelgate.dev/client/modelgatev1"
)

// DefaultServer is where clients look when nothing names a server.
const DefaultServer = "127.0.0.1:7070"

// Credentials are a principal's client id and secret, as `modelgate serve`
// writes them to <data-dir>/credentials.json (with the server's address).
type Credentials struct {
	ClientID     string `json:"client_id"`
	ClientSecret string `json:"client_secret"`
	Server       string `json:"server,omitempty"`
}

// LoadCredentials reads a credentials file; UNAUTHENTICATED says what is wrong with it.
func LoadCredentials(path string) (*Credentials, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, newError(v1.StatusCode_STATUS_CODE_UNAUTHENTICATED, "cannot read credentials file '%s': %v", path, err)
	}
	var credentials Credentials
	if json.Unmarshal(data, &credentials) != nil || credentials.ClientID == "" || credentials.ClientSecret == "" {
		return nil, newError(v1.StatusCode_STATUS_CODE_UNAUTHENTICATED,
			"credentials file '%s' is not valid: expected JSON with client_id and client_secret", path)
	}
	return &credentials, nil
}

// DefaultCredentialsPath is MODELGATE_CREDENTIALS, else
// <MODELGATE_DATA_DIR or ~/.modelgate>/credentials.json, as the modelgate CLI looks.
func DefaultCredentialsPath() string {
	if path := os.Getenv("MODELGATE_CREDENTIALS"); path != "" {
		return path
	}
	dir := os.Getenv("MODELGATE_DATA_DIR")
	if dir == "" {
		home, _ := os.UserHomeDir()
		dir = filepath.Join(home, ".modelgate")
	}
	return filepath.Join(dir, "credentials.json")
}
