package console

import (
	"bytes"
	"embed"
	"errors"
	"fmt"
	"html/template"
	"io/fs"
	"net/http"
	"net/url"
	"path"
	"regexp"
	"sort"
	"strings"
	"time"

	"github.com/tollgate/tollgate"
	"github.com/tollgate/tollgate/internal/buildinfo"
)

//go:embed templates/*.html
var templateFS embed.FS

// templates are the pages: each templates/NAME.html (but the partials,
// whose names start with "_", and layout.html) parsed with the layout and
// the partials, executed as "layout".
type templates struct {
	pages map[string]*template.Template
}

func loadTemplates() (*templates, error) {
	base := template.New("layout.html").Funcs(funcs)
	base, err := base.ParseFS(templateFS, "templates/layout.html")
	if err != nil {
		return nil, err
	}
	partials, _ := fs.Glob(templateFS, "templates/_*.html")
	if len(partials) > 0 {
		if base, err = base.ParseFS(templateFS, partials...); err != nil {
			return nil, err
		}
	}
	names, _ := fs.Glob(templateFS, "templates/*.html")
	t := &templates{pages: map[string]*template.Template{}}
	for _, n := range names {
		name := path.Base(n)
		if name == "layout.html" || strings.HasPrefix(name, "_") {
			continue
		}
		p, err := template.Must(base.Clone()).ParseFS(templateFS, n)
		if err != nil {
			return nil, err
		}
		t.pages[strings.TrimSuffix(name, ".html")] = p
	}
	return t, nil
}

// Page is what every page template gets: the layout's fields and the
// page's own Data.
type Page struct {
	Title string
	// Nav names the navigation item to mark current: "home", "pools",
	// "clients", "apis", "api-keys", "requests", "try".
	Nav  string
	Base string // the console's path, e.g. "/console"
	// Operator is who is signed in ("" on the sign-in pages).
	Operator string
	CSRF     string
	Flash    string // a message of the last change, once
	Error    string // a refusal to show above the page's form
	Version  string
	// Now is the console's clock when the page was rendered: what the
	// ago function counts from ({{ago $.Now .CreatedAt}}).
	Now  time.Time
	Data any
}

// render writes page name (templates/NAME.html) with status.
func (c *Console) render(w http.ResponseWriter, r *http.Request, status int, name string, p Page) {
	t, ok := c.tmpl.pages[name]
	if !ok {
		c.log.Error("console: no template", "name", name)
		http.Error(w, "internal error", http.StatusInternalServerError)
		return
	}
	p.Base = c.opts.Path
	p.Version = buildinfo.Read().Version
	p.Now = c.opts.Now()
	if s := sessionOf(r); s != nil {
		p.Operator = s.Identity
		p.CSRF = s.CSRF
	}
	if p.Flash == "" {
		p.Flash = c.takeFlash(w, r)
	}
	var buf bytes.Buffer
	if err := t.ExecuteTemplate(&buf, "layout", p); err != nil {
		c.log.Error("console: render", "page", name, "err", err)
		http.Error(w, "internal error", http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.WriteHeader(status)
	_, _ = w.Write(buf.Bytes())
}

// redirect answers a change with 303 See Other to the console's path p
// (below Base), with a flash message for the next page.
func (c *Console) redirect(w http.ResponseWriter, r *http.Request, p, flash string) {
	if flash != "" {
		c.setFlash(w, r, flash)
	}
	http.Redirect(w, r, c.opts.Path+p, http.StatusSeeOther)
}

// back answers a GET of a path that only takes changes (a browser
// reloading the page a change rendered, or going back to it) with 303 to
// the page the change came from: to, below Base, with the request's path
// values ({name}) filled in, each escaped as a path segment.
func (c *Console) back(to string) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		p := backPath.ReplaceAllStringFunc(to, func(m string) string {
			return url.PathEscape(r.PathValue(m[1 : len(m)-1]))
		})
		http.Redirect(w, r, c.opts.Path+p, http.StatusSeeOther)
	}
}

var backPath = regexp.MustCompile(`\{[a-z]+\}`)

// notFound renders the not-found page.
func (c *Console) notFound(w http.ResponseWriter, r *http.Request) {
	c.render(w, r, http.StatusNotFound, "error", Page{Title: "Not found", Data: errorData{
		Heading: "Not found", Message: "Nothing is at " + r.URL.Path + ".",
	}})
}

// fail renders err: a domain refusal (*tollgate.Error) with its message
// and the status of its kind; anything else as an internal error, logged,
// its text not shown.
func (c *Console) fail(w http.ResponseWriter, r *http.Request, err error) {
	status, msg := errorStatus(err)
	if status == http.StatusInternalServerError {
		c.log.Error("console", "path", r.URL.Path, "err", err)
	}
	c.render(w, r, status, "error", Page{Title: http.StatusText(status), Data: errorData{
		Heading: http.StatusText(status), Message: msg,
	}})
}

type errorData struct{ Heading, Message string }

// errorStatus maps a domain error to an HTTP status and the message an
// operator may read.
func errorStatus(err error) (int, string) {
	var te *tollgate.Error
	if !errors.As(err, &te) {
		return http.StatusInternalServerError, "Something went wrong; the server's log says what."
	}
	switch te.Kind {
	case tollgate.KindNotFound:
		return http.StatusNotFound, te.Message
	case tollgate.KindReadOnly:
		return http.StatusConflict, te.Message
	case tollgate.KindConflict:
		return http.StatusConflict, te.Message
	case tollgate.KindInvalid:
		return http.StatusBadRequest, te.Message
	}
	return http.StatusInternalServerError, "Something went wrong; the server's log says what."
}

// refuse answers a change the domain refused with err: an internal error
// as fail does (logged, 500); a refusal by calling again with its status
// (404, 409 or 400) and the message an operator may read, to render the
// form again above it.
func (c *Console) refuse(w http.ResponseWriter, r *http.Request, err error, again func(status int, msg string)) {
	status, msg := errorStatus(err)
	if status == http.StatusInternalServerError {
		c.fail(w, r, err)
		return
	}
	again(status, msg)
}

// ErrorMessage is what an operator should read of err, a domain refusal,
// above the form that caused it; ok is false for an internal error (then
// the message is generic and err is logged).
func (c *Console) ErrorMessage(r *http.Request, err error) (msg string, ok bool) {
	status, msg := errorStatus(err)
	if status == http.StatusInternalServerError {
		c.log.Error("console", "path", r.URL.Path, "err", err)
		return msg, false
	}
	return msg, true
}

// parseForm reads a change's form (at most 64 KiB).
func parseForm(w http.ResponseWriter, r *http.Request) error {
	r.Body = http.MaxBytesReader(w, r.Body, 64<<10)
	return r.ParseForm()
}

var funcs = template.FuncMap{
	// url joins the console's path and parts, escaping each part as a
	// path segment: {{url $.Base "pools" .ID}}.
	"url": func(base string, parts ...any) string {
		var b strings.Builder
		b.WriteString(base)
		for _, p := range parts {
			b.WriteByte('/')
			b.WriteString(url.PathEscape(fmt.Sprint(p)))
		}
		return b.String()
	},
	"time": func(t time.Time) string {
		if t.IsZero() {
			return "—"
		}
		return t.UTC().Format("2006-01-02 15:04:05 UTC")
	},
	"ago":  ago,
	"join": func(sep string, s []string) string { return strings.Join(s, sep) },
	"sorted": func(s []string) []string {
		out := append([]string(nil), s...)
		sort.Strings(out)
		return out
	},
	"declaredIn": tollgate.DeclaredIn,
	"statusClass": func(status int) string {
		switch {
		case status >= 500:
			return "s5"
		case status >= 400:
			return "s4"
		case status >= 300:
			return "s3"
		default:
			return "s2"
		}
	},
	"add": func(a, b int) int { return a + b },
	"dict": func(kv ...any) map[string]any {
		m := make(map[string]any, len(kv)/2)
		for i := 0; i+1 < len(kv); i += 2 {
			m[fmt.Sprint(kv[i])] = kv[i+1]
		}
		return m
	},
	"duration": func(d time.Duration) string { return d.String() },
}

// ago says how long before now t was, roughly: "3 min ago"; now is the
// console's clock (Page.Now).
func ago(now, t time.Time) string {
	if t.IsZero() {
		return "never"
	}
	d := now.Sub(t)
	switch {
	case d < 0:
		return "in " + roughly(-d)
	case d < 10*time.Second:
		return "just now"
	default:
		return roughly(d) + " ago"
	}
}

func roughly(d time.Duration) string {
	switch {
	case d < time.Minute:
		return fmt.Sprintf("%d s", int(d.Seconds()))
	case d < time.Hour:
		return fmt.Sprintf("%d min", int(d.Minutes()))
	case d < 48*time.Hour:
		return fmt.Sprintf("%d h", int(d.Hours()))
	default:
		return fmt.Sprintf("%d days", int(d.Hours()/24))
	}
}
