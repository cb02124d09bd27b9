package httpapi_test

import (
	"go/ast"
	"go/parser"
	"go/token"
	"path/filepath"
	"strings"
	"testing"
)

// TestTeamRuleInOnePlace keeps the admin/member rule of §5 and §9 in the
// domain (salesmania.TeamScope, Principal.TeamFor, Principal.RequireAdmin):
// no handler or store code may compare roles itself, so a new route cannot
// write the rule out again, and get it wrong.
func TestTeamRuleInOnePlace(t *testing.T) {
	for _, dir := range []string{".", "../sqlstore", "../webhook", "../console"} {
		files, err := filepath.Glob(filepath.Join(dir, "*.go"))
		if err != nil {
			t.Fatal(err)
		}
		for _, name := range files {
			if strings.HasSuffix(name, "_test.go") {
				continue
			}
			f, err := parser.ParseFile(token.NewFileSet(), name, nil, 0)
			if err != nil {
				t.Fatal(err)
			}
			ast.Inspect(f, func(n ast.Node) bool {
				sel, ok := n.(*ast.SelectorExpr)
				if ok && (sel.Sel.Name == "RoleAdmin" || sel.Sel.Name == "RoleMember") {
					t.Errorf("%s uses salesmania.%s: ask the principal's TeamScope, TeamFor or RequireAdmin instead", name, sel.Sel.Name)
				}
				return true
			})
		}
	}
}
