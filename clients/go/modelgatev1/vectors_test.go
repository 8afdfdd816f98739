package modelgatev1_test

import (
	"bytes"
	"encoding/hex"
	"encoding/json"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/reflect/protoreflect"
	"google.golang.org/protobuf/reflect/protoregistry"

	_ "modelgate.dev/client/modelgatev1"
)

// The shared conformance vectors (tools/conformance/vectors), written by
// Python's official protobuf: each must decode with the generated Go messages
// and encode back byte for byte (deterministic, unknown fields kept).

var vectorsDir = filepath.Join("..", "..", "..", "tools", "conformance", "vectors")

type vector struct {
	Message string `json:"message"`
	Case    string `json:"case"`
	File    string `json:"file"`
	Hex     string `json:"hex"`
}

func loadIndex(t *testing.T) []vector {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(vectorsDir, "index.json"))
	if err != nil {
		t.Fatal(err)
	}
	var index struct{ Vectors []vector }
	if err := json.Unmarshal(data, &index); err != nil {
		t.Fatal(err)
	}
	return index.Vectors
}

func messageType(name string) (protoreflect.MessageType, error) {
	return protoregistry.GlobalTypes.FindMessageByName(protoreflect.FullName(strings.TrimSpace(name)))
}

func TestTheGeneratedPackageCoversEveryMessageInTheVectors(t *testing.T) {
	index := loadIndex(t)
	names := map[string]bool{}
	for _, v := range index {
		names[v.Message] = true
	}
	if len(names) == 0 || len(index) < 3*len(names) {
		t.Fatalf("%d vectors for %d messages", len(index), len(names))
	}
	var missing []string
	for name := range names {
		if _, err := messageType(name); err != nil {
			missing = append(missing, name)
		}
	}
	sort.Strings(missing)
	if len(missing) > 0 {
		t.Fatalf("not generated: %v", missing)
	}
}

func TestEveryVectorDecodesAndReencodesByteIdentically(t *testing.T) {
	index := loadIndex(t)
	for _, v := range index {
		v := v
		t.Run(v.File, func(t *testing.T) {
			data, err := os.ReadFile(filepath.Join(vectorsDir, v.File))
			if err != nil {
				t.Fatal(err)
			}
			if hex.EncodeToString(data) != v.Hex {
				t.Fatalf("the file differs from its index entry")
			}
			mt, err := messageType(v.Message)
			if err != nil {
				t.Fatal(err)
			}
			message := mt.New().Interface()
			if err := proto.Unmarshal(data, message); err != nil {
				t.Fatalf("does not decode: %v", err)
			}
			again, err := proto.MarshalOptions{Deterministic: true}.Marshal(message)
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(again, data) {
				t.Fatalf("re-encoded differently\n want %x\n got  %x", data, again)
			}
			reflected := message.ProtoReflect()
			switch v.Case {
			case "defaults":
				if len(data) != 0 || !proto.Equal(message, mt.New().Interface()) {
					t.Fatalf("the defaults vector is not the empty message")
				}
			case "all_fields":
				if reflected.Descriptor().Fields().Len() > 0 {
					set := 0
					reflected.Range(func(protoreflect.FieldDescriptor, protoreflect.Value) bool { set++; return true })
					if set == 0 {
						t.Fatalf("a non-default vector decoded to an empty message")
					}
				}
			case "unknown_fields":
				if len(reflected.GetUnknown()) == 0 {
					t.Fatalf("the unknown fields were lost")
				}
			}
		})
	}
}
