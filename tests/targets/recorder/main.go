// recorder: a stand-in for the chat robots and Jira that the notify tests
// post to (docs/notify.md, "Testing"). It listens on 127.0.0.1:0, writes
// its port to -port-file, and records every request (method, path, query,
// headers, body, its answer) as a JSON line in -log. Per path it checks the
// exact JSON each endpoint expects and answers as the real one would:
//
//	/wecom              WeCom group robot (?key=), text or markdown
//	/dingtalk           DingTalk robot (?access_token=); with -dingtalk-secret,
//	                    &timestamp=&sign= must verify (HMAC-SHA256) and be
//	                    within an hour, or errcode 310000
//	/slack              Slack incoming webhook: "ok"
//	/webhook            generic JSON webhook: Idempotency-Key == body id
//	/rest/api/2/issue   Jira: a Sub-task with project and parent; -jira-token
//	                    checked (Bearer, or Basic user:token); -jira-answer
//	                    201 (default), 400 or 401
//
// -faults lists how the first requests misbehave, in order, before it
// recovers: timeout (sleep -sleep, longer than the client waits, then say
// yes to nobody), 500, 429 (Retry-After: 1), busy (the robot's rate-limit
// errcode: WeCom 45009, DingTalk 130101; a 429 elsewhere) and hang (answer nothing until the
// client goes away: for kill -9 tests).
//
// A message counts as delivered only when the recorder said yes on a
// connection that was still open; GET /stats gives the counts and the ids
// delivered more than once (the webhook's id, else a hash of the body).
package main

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"log"
	"net"
	"net/http"
	"os"
	"strconv"
	"strings"
	"sync"
	"time"
)

var (
	portFile    = flag.String("port-file", "", "write the port here once listening")
	logPath     = flag.String("log", "", "append one JSON line per request here")
	dingSecret  = flag.String("dingtalk-secret", "", "DingTalk signing secret: require a valid signature")
	faultList   = flag.String("faults", "", "comma-separated misbehaviours of the first requests: timeout,500,429,busy,hang")
	sleepFor    = flag.Duration("sleep", 3*time.Second, "how long a 'timeout' fault sleeps")
	jiraToken   = flag.String("jira-token", "", "the token Jira requests must carry")
	jiraAnswer  = flag.Int("jira-answer", 201, "how Jira answers a valid request: 201, 400 or 401")
	maxLifetime = flag.Duration("lifetime", 5*time.Minute, "exit after this long whatever happens")
)

type record struct {
	Seq       int               `json:"seq"`
	Method    string            `json:"method"`
	Path      string            `json:"path"`
	Query     string            `json:"query"`
	Headers   map[string]string `json:"headers"`
	Body      string            `json:"body"`
	Fault     string            `json:"fault,omitempty"`
	Status    int               `json:"status"`
	Answer    string            `json:"answer"`
	Valid     bool              `json:"valid"`
	Problem   string            `json:"problem,omitempty"`
	ID        string            `json:"id"`
	Delivered bool              `json:"delivered"`
}

type state struct {
	mu        sync.Mutex
	seq       int
	faults    []string
	logf      *os.File
	delivered map[string]int
	byPath    map[string]int
	invalid   int
	jiraN     int
}

var st = state{delivered: map[string]int{}, byPath: map[string]int{}}

// answer is what the endpoint says: a status and a body.
type answer struct {
	status int
	body   string
	yes    bool // the message is taken
}

func robotErr(code int, msg string) answer {
	return answer{200, fmt.Sprintf(`{"errcode":%d,"errmsg":%q}`, code, msg), code == 0}
}

// exact checks that obj has only the given keys, all present unless optional ("?key").
func exact(obj map[string]interface{}, keys ...string) string {
	allowed := map[string]bool{}
	for _, k := range keys {
		opt := strings.HasPrefix(k, "?")
		k = strings.TrimPrefix(k, "?")
		allowed[k] = true
		if _, ok := obj[k]; !ok && !opt {
			return "missing " + k
		}
	}
	for k := range obj {
		if !allowed[k] {
			return "unexpected key " + k
		}
	}
	return ""
}

func str(v interface{}) (string, bool) { s, ok := v.(string); return s, ok }

func obj(v interface{}) map[string]interface{} {
	m, _ := v.(map[string]interface{})
	return m
}

func stringList(v interface{}) bool {
	a, ok := v.([]interface{})
	if !ok {
		return false
	}
	for _, e := range a {
		if _, ok := e.(string); !ok {
			return false
		}
	}
	return true
}

func checkWecom(r *http.Request, b map[string]interface{}) (string, answer) {
	if r.URL.Query().Get("key") == "" {
		return "no key", robotErr(93000, "invalid webhook url")
	}
	switch b["msgtype"] {
	case "text":
		if p := exact(b, "msgtype", "text"); p != "" {
			return p, robotErr(40008, "invalid message type")
		}
		t := obj(b["text"])
		if p := exact(t, "content", "?mentioned_list", "?mentioned_mobile_list"); p != "" {
			return "text: " + p, robotErr(40008, "invalid message type")
		}
		c, ok := str(t["content"])
		if !ok || c == "" || len(c) > 2048 {
			return "text.content empty or over 2048 bytes", robotErr(44004, "empty content")
		}
		if m, ok := t["mentioned_mobile_list"]; ok && !stringList(m) {
			return "mentioned_mobile_list not a list of strings", robotErr(40058, "invalid parameter")
		}
	case "markdown":
		if p := exact(b, "msgtype", "markdown"); p != "" {
			return p, robotErr(40008, "invalid message type")
		}
		m := obj(b["markdown"])
		if p := exact(m, "content"); p != "" {
			return "markdown: " + p, robotErr(40008, "invalid message type")
		}
		c, ok := str(m["content"])
		if !ok || c == "" || len(c) > 4096 {
			return "markdown.content empty or over 4096 bytes", robotErr(44004, "empty content")
		}
	default:
		return "msgtype", robotErr(40008, "invalid message type")
	}
	return "", robotErr(0, "ok")
}

func checkDingSign(r *http.Request) string {
	if *dingSecret == "" {
		return ""
	}
	q := r.URL.Query()
	ts, sign := q.Get("timestamp"), q.Get("sign")
	ms, err := strconv.ParseInt(ts, 10, 64)
	if err != nil || sign == "" {
		return "no timestamp or sign"
	}
	if d := time.Since(time.UnixMilli(ms)); d > time.Hour || d < -time.Hour {
		return "timestamp more than an hour off"
	}
	mac := hmac.New(sha256.New, []byte(*dingSecret))
	mac.Write([]byte(ts + "\n" + *dingSecret))
	if base64.StdEncoding.EncodeToString(mac.Sum(nil)) != sign {
		return "sign does not match"
	}
	return ""
}

func checkDingtalk(r *http.Request, b map[string]interface{}) (string, answer) {
	if r.URL.Query().Get("access_token") == "" {
		return "no access_token", robotErr(300001, "token is not exist")
	}
	if p := checkDingSign(r); p != "" {
		return p, robotErr(310000, "sign not match")
	}
	at := obj(b["at"])
	if at != nil {
		if p := exact(at, "?atMobiles", "?atUserIds", "?isAtAll"); p != "" {
			return "at: " + p, robotErr(40035, "invalid parameter")
		}
		if m, ok := at["atMobiles"]; ok && !stringList(m) {
			return "atMobiles", robotErr(40035, "invalid parameter")
		}
		if v, ok := at["isAtAll"]; ok {
			if _, ok := v.(bool); !ok {
				return "isAtAll not a bool", robotErr(40035, "invalid parameter")
			}
		}
	}
	switch b["msgtype"] {
	case "text":
		if p := exact(b, "msgtype", "text", "?at"); p != "" {
			return p, robotErr(40035, "invalid parameter")
		}
		t := obj(b["text"])
		if c, ok := str(t["content"]); !ok || c == "" || exact(t, "content") != "" {
			return "text.content", robotErr(40035, "invalid parameter")
		}
	case "markdown":
		if p := exact(b, "msgtype", "markdown", "?at"); p != "" {
			return p, robotErr(40035, "invalid parameter")
		}
		m := obj(b["markdown"])
		if p := exact(m, "title", "text"); p != "" {
			return "markdown: " + p, robotErr(40035, "invalid parameter")
		}
		title, ok1 := str(m["title"])
		text, ok2 := str(m["text"])
		if !ok1 || !ok2 || title == "" || text == "" {
			return "markdown title/text", robotErr(40035, "invalid parameter")
		}
		// DingTalk highlights @mobile only when the text names it
		if mobs, ok := at["atMobiles"].([]interface{}); ok {
			for _, mob := range mobs {
				if !strings.Contains(text, "@"+mob.(string)) {
					return "atMobiles " + mob.(string) + " not in the text", robotErr(40035, "invalid parameter")
				}
			}
		}
	default:
		return "msgtype", robotErr(40035, "invalid parameter")
	}
	return "", robotErr(0, "ok")
}

func checkSlack(b map[string]interface{}) (string, answer) {
	bad := answer{400, "invalid_payload", false}
	if p := exact(b, "text", "?blocks"); p != "" {
		return p, bad
	}
	if t, ok := str(b["text"]); !ok || t == "" {
		return "text", answer{400, "no_text", false}
	}
	if bl, ok := b["blocks"]; ok {
		arr, ok := bl.([]interface{})
		if !ok || len(arr) == 0 {
			return "blocks", bad
		}
		for _, e := range arr {
			o := obj(e)
			if o == nil || o["type"] != "section" || obj(o["text"])["type"] != "mrkdwn" {
				return "block", bad
			}
			if t, ok := str(obj(o["text"])["text"]); !ok || t == "" || len(t) > 3000 {
				return "block text", bad
			}
		}
	}
	return "", answer{200, "ok", true}
}

func checkWebhook(r *http.Request, b map[string]interface{}) (string, answer) {
	bad := answer{400, `{"error":"bad payload"}`, false}
	for _, k := range []string{"event", "id", "run", "item", "stage", "owner", "due", "text"} {
		if _, ok := b[k]; !ok {
			return "missing " + k, bad
		}
	}
	id, _ := str(b["id"])
	if id == "" || r.Header.Get("Idempotency-Key") != id {
		return "Idempotency-Key differs from id", bad
	}
	return "", answer{200, `{"ok":true}`, true}
}

func checkJira(r *http.Request, b map[string]interface{}) (string, answer) {
	auth := r.Header.Get("Authorization")
	ok := false
	if *jiraToken != "" {
		if auth == "Bearer "+*jiraToken {
			ok = true
		} else if strings.HasPrefix(auth, "Basic ") {
			raw, err := base64.StdEncoding.DecodeString(strings.TrimPrefix(auth, "Basic "))
			ok = err == nil && strings.HasSuffix(string(raw), ":"+*jiraToken)
		}
	}
	if !ok || *jiraAnswer == 401 {
		return "unauthorized", answer{401, `{"errorMessages":["You are not authenticated."],"errors":{}}`, false}
	}
	f := obj(b["fields"])
	if p := exact(b, "fields"); p != "" || f == nil {
		return "fields", answer{400, `{"errorMessages":["no fields"],"errors":{}}`, false}
	}
	if p := exact(f, "project", "parent", "issuetype", "summary", "description"); p != "" {
		return p, answer{400, fmt.Sprintf(`{"errorMessages":[],"errors":{"fields":%q}}`, p), false}
	}
	if k, _ := str(obj(f["project"])["key"]); k == "" {
		return "project.key", answer{400, `{"errorMessages":[],"errors":{"project":"project is required"}}`, false}
	}
	if k, _ := str(obj(f["parent"])["key"]); k == "" {
		return "parent.key", answer{400, `{"errorMessages":[],"errors":{"parent":"parent is required"}}`, false}
	}
	if n, _ := str(obj(f["issuetype"])["name"]); n != "Sub-task" {
		return "issuetype", answer{400, `{"errorMessages":[],"errors":{"issuetype":"issue type is not a sub-task"}}`, false}
	}
	if *jiraAnswer == 400 {
		return "", answer{400, `{"errorMessages":[],"errors":{"parent":"Could not find issue by id or key."}}`, false}
	}
	st.mu.Lock()
	st.jiraN++
	n := st.jiraN
	st.mu.Unlock()
	proj, _ := str(obj(f["project"])["key"])
	key := fmt.Sprintf("%s-%d", proj, 1000+n)
	return "", answer{201, fmt.Sprintf(`{"id":"%d","key":%q,"self":"http://%s/rest/api/2/issue/%d"}`, 10000+n, key, r.Host, 10000+n), true}
}

func nextFault() (int, string) {
	st.mu.Lock()
	defer st.mu.Unlock()
	st.seq++
	if st.seq <= len(st.faults) {
		return st.seq, st.faults[st.seq-1]
	}
	return st.seq, ""
}

func handle(w http.ResponseWriter, r *http.Request) {
	if r.Method == "GET" && r.URL.Path == "/stats" {
		stats(w)
		return
	}
	raw, _ := io.ReadAll(io.LimitReader(r.Body, 1<<20))
	seq, fault := nextFault()
	rec := record{Seq: seq, Method: r.Method, Path: r.URL.Path, Query: r.URL.RawQuery, Headers: map[string]string{},
		Body: string(raw), Fault: fault}
	for k, v := range r.Header {
		rec.Headers[k] = strings.Join(v, ", ")
	}
	var b map[string]interface{}
	var problem string
	var a answer
	if r.Method != "POST" {
		problem, a = "method "+r.Method, answer{405, "method not allowed", false}
	} else if err := json.Unmarshal(raw, &b); err != nil || b == nil {
		problem, a = "not a JSON object", answer{400, "invalid_payload", false}
	} else if ct := r.Header.Get("Content-Type"); !strings.HasPrefix(ct, "application/json") {
		problem, a = "Content-Type "+ct, answer{400, "invalid content type", false}
	} else {
		switch r.URL.Path {
		case "/wecom":
			problem, a = checkWecom(r, b)
		case "/dingtalk":
			problem, a = checkDingtalk(r, b)
		case "/slack":
			problem, a = checkSlack(b)
		case "/webhook":
			problem, a = checkWebhook(r, b)
		case "/rest/api/2/issue":
			problem, a = checkJira(r, b)
		default:
			problem, a = "no such path", answer{404, "not found", false}
		}
	}
	rec.Valid = problem == ""
	rec.Problem = problem
	rec.ID = r.Header.Get("Idempotency-Key")
	if rec.ID == "" {
		sum := sha256.Sum256(raw)
		rec.ID = r.URL.Path + ":" + hex.EncodeToString(sum[:8])
	}
	switch fault {
	case "timeout":
		select {
		case <-time.After(*sleepFor):
		case <-r.Context().Done():
			// the client gave up; say yes anyway, to nobody
		}
	case "hang":
		<-r.Context().Done()
	case "500":
		a = answer{500, "internal error", false}
	case "429":
		w.Header().Set("Retry-After", "1")
		a = answer{429, "rate_limited", false}
	case "busy":
		switch r.URL.Path {
		case "/dingtalk":
			a = robotErr(130101, "send too fast, exceed 20 times per minute")
		case "/wecom":
			a = robotErr(45009, "api freq out of limit")
		default:
			w.Header().Set("Retry-After", "1")
			a = answer{429, "rate_limited", false}
		}
	}
	live := r.Context().Err() == nil
	rec.Status, rec.Answer = a.status, a.body
	rec.Delivered = a.yes && live && fault != "timeout" && fault != "hang"
	if live {
		w.WriteHeader(a.status)
		io.WriteString(w, a.body)
	}
	st.mu.Lock()
	st.byPath[r.URL.Path]++
	if !rec.Valid {
		st.invalid++
	}
	if rec.Delivered {
		st.delivered[rec.ID]++
	}
	if st.logf != nil {
		line, _ := json.Marshal(rec)
		st.logf.Write(append(line, '\n'))
	}
	st.mu.Unlock()
}

func stats(w http.ResponseWriter) {
	st.mu.Lock()
	defer st.mu.Unlock()
	dups := []string{}
	total := 0
	for id, n := range st.delivered {
		total += n
		if n > 1 {
			dups = append(dups, id)
		}
	}
	w.Header().Set("Content-Type", "application/json")
	json.NewEncoder(w).Encode(map[string]interface{}{
		"requests": st.seq, "delivered": total, "distinct": len(st.delivered), "duplicates": dups,
		"invalid": st.invalid, "by_path": st.byPath,
	})
}

func main() {
	flag.Parse()
	for _, f := range strings.Split(*faultList, ",") {
		if f = strings.TrimSpace(f); f != "" {
			st.faults = append(st.faults, f)
		}
	}
	if *logPath != "" {
		f, err := os.OpenFile(*logPath, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o600)
		if err != nil {
			log.Fatal(err)
		}
		st.logf = f
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		log.Fatal(err)
	}
	port := ln.Addr().(*net.TCPAddr).Port
	if *portFile != "" {
		tmp := *portFile + ".tmp"
		if err := os.WriteFile(tmp, []byte(strconv.Itoa(port)+"\n"), 0o644); err != nil {
			log.Fatal(err)
		}
		if err := os.Rename(tmp, *portFile); err != nil {
			log.Fatal(err)
		}
	} else {
		fmt.Println(port)
	}
	time.AfterFunc(*maxLifetime, func() { os.Exit(3) })
	log.Fatal(http.Serve(ln, http.HandlerFunc(handle)))
}
