// The article form's live help (articles/admin/editing.py), loaded by the change form's media:
// - who else has this article open: a heartbeat POST every few seconds, and a take-over button;
// - autosave: title, summary and body kept in localStorage per user and article, every few
//   seconds and on change, offered back with a text diff when the form opens again.
// Options come from #editor-presence's data-options (no inline script under the CSP).
(function () {
  "use strict";

  var BLOCKS = /^(P|DIV|H[1-6]|LI|UL|OL|BLOCKQUOTE|PRE|FIGURE|FIGCAPTION|TABLE|TR|TD|TH|BR|HR|SECTION)$/;
  var root, options, form, messages;

  function make(tag, className, text) {
    var node = document.createElement(tag);
    if (className) node.className = className;
    if (text !== undefined) node.textContent = text;
    return node;
  }

  function csrfToken() {
    var input = document.querySelector("input[name=csrfmiddlewaretoken]");
    return input ? input.value : "";
  }

  function showSessionNotice() {
    if (root.querySelector(".editor-session")) return;
    root.appendChild(make("p", "editor-session", messages.session));
  }

  // ---- who else is here ----

  function startPresence() {
    var tab = window.crypto && crypto.randomUUID
      ? crypto.randomUUID()
      : String(Date.now()) + "-" + String(Math.random()).slice(2);
    var box = make("div", "editor-others");
    var timer = null;
    var stopped = false;
    box.hidden = true;
    root.appendChild(box);

    function body(action) {
      var data = new FormData();
      data.append("tab", tab);
      data.append("action", action);
      data.append("csrfmiddlewaretoken", csrfToken());
      return data;
    }

    function takenOver(notice) {
      stopped = true;
      clearInterval(timer);
      box.className = "editor-others editor-taken";
      box.appendChild(make("p", "", notice.message));
      box.hidden = false;
      form.querySelectorAll(".submit-row input[type=submit]").forEach(function (button) {
        button.disabled = true;
      });
    }

    function show(state) {
      box.textContent = "";
      if (state.taken_over) {
        takenOver(state.taken_over);
        return;
      }
      box.hidden = state.others.length === 0;
      state.others.forEach(function (other) {
        box.appendChild(make("p", "", other.message));
      });
      if (state.others.length && state.can_take_over) {
        var button = make("button", "button editor-take-over", messages.take_over);
        button.type = "button";
        button.addEventListener("click", function () { send("takeover"); });
        box.appendChild(button);
      }
    }

    function send(action) {
      if (stopped) return;
      fetch(options.presence_url, {
        method: "POST",
        body: body(action),
        credentials: "same-origin",
        headers: { "X-CSRFToken": csrfToken() },
      }).then(function (answer) {
        var type = answer.headers.get("Content-Type") || "";
        if (answer.redirected || answer.status === 403 || (answer.ok && type.indexOf("json") < 0)) {
          showSessionNotice();  // logged out: the login page, or no longer allowed
          return null;
        }
        return answer.ok ? answer.json() : null;
      }).then(function (state) {
        if (state) show(state);
      }).catch(function () {});  // offline or the server down: show nothing new
    }

    send("beat");
    timer = setInterval(function () { send("beat"); }, (options.beat || 20) * 1000);
    window.addEventListener("pagehide", function () {
      if (!stopped && navigator.sendBeacon) navigator.sendBeacon(options.presence_url, body("leave"));
    });
  }

  // ---- autosave ----

  function textLines(value, isHtml) {
    if (!isHtml) return value.split(/\r?\n/).map(function (line) { return line.trim(); }).filter(Boolean);
    var doc = new DOMParser().parseFromString(value, "text/html");  // inert: nothing runs
    var lines = [""];
    (function walk(node) {
      node.childNodes.forEach(function (child) {
        if (child.nodeType === Node.TEXT_NODE) {
          lines[lines.length - 1] += child.nodeValue;
        } else if (child.nodeType === Node.ELEMENT_NODE) {
          var block = BLOCKS.test(child.tagName);
          if (block) lines.push("");
          if (child.tagName === "IMG" && child.getAttribute("alt")) {
            lines[lines.length - 1] += "[" + child.getAttribute("alt") + "]";
          }
          walk(child);
          if (block) lines.push("");
        }
      });
    })(doc.body);
    return lines.map(function (line) { return line.replace(/\s+/g, " ").trim(); }).filter(Boolean);
  }

  function diffLines(a, b) {
    var n = a.length, m = b.length, i, j, ops = [];
    if (n * m > 4000000) {
      return a.map(function (l) { return ["-", l]; }).concat(b.map(function (l) { return ["+", l]; }));
    }
    var table = [];
    for (i = n; i >= 0; i--) {
      table[i] = new Array(m + 1).fill(0);
      for (j = m - 1; j >= 0 && i < n; j--) {
        table[i][j] = a[i] === b[j] ? table[i + 1][j + 1] + 1 : Math.max(table[i + 1][j], table[i][j + 1]);
      }
    }
    i = 0; j = 0;
    while (i < n || j < m) {
      if (i < n && j < m && a[i] === b[j]) { ops.push([" ", a[i]]); i++; j++; }
      else if (i < n && (j === m || table[i + 1][j] >= table[i][j + 1])) { ops.push(["-", a[i]]); i++; }
      else { ops.push(["+", b[j]]); j++; }
    }
    return ops;
  }

  function renderDiff(ops) {
    var box = make("div", "autosave-diff");
    var changed = ops.map(function (op) { return op[0] !== " "; });
    var skipped = false;
    ops.forEach(function (op, index) {
      var near = changed.slice(Math.max(0, index - 2), index + 3).some(Boolean);
      if (!near) {
        if (!skipped) box.appendChild(make("div", "autosave-gap", "…"));
        skipped = true;
        return;
      }
      skipped = false;
      var kind = op[0] === "-" ? "autosave-del" : op[0] === "+" ? "autosave-ins" : "autosave-same";
      box.appendChild(make("div", kind, (op[0] === " " ? "  " : op[0] + " ") + op[1]));
    });
    return box;
  }

  function startAutosave() {
    var names = Object.keys(options.fields).filter(function (name) {
      var field = form.elements[name];
      return field && !field.disabled && !field.readOnly;
    });
    if (!names.length || !window.localStorage) return;
    var key = "newsroom:autosave:" + options.user + ":" + options.article;
    var offset = options.now - Date.now();  // the server's clock, which last_saved is on
    var bodyId = form.elements.body ? form.elements.body.id : null;

    function editor() {
      return bodyId && window.editors ? window.editors[bodyId] : null;
    }

    function read() {
      var values = {};
      names.forEach(function (name) {
        values[name] = name === "body" && editor() ? editor().getData() : form.elements[name].value;
      });
      return values;
    }

    function sameText(a, b) {
      return names.every(function (name) {
        return textLines(a[name] || "", name === "body").join("\n") === textLines(b[name] || "", name === "body").join("\n");
      });
    }

    var opened = read();
    var last = JSON.stringify(opened);
    var dirty = false;  // nothing is kept until the editor changes something

    function store() {
      if (!dirty) return;
      var values = read();
      var text = JSON.stringify(values);
      if (text === last) return;
      last = text;
      try {
        localStorage.setItem(key, JSON.stringify({ values: values, at: Date.now() + offset }));
      } catch (error) { /* storage full or refused: nothing to keep it in */ }
    }

    function offer(kept) {
      var box = make("div", "autosave-offer");
      var when = new Date(kept.at - offset).toLocaleString();
      box.appendChild(make("p", "autosave-title", messages.offer.replace("%(when)s", when)));
      var legend = make("p", "autosave-legend");
      legend.appendChild(make("span", "autosave-del", "− " + messages.saved));
      legend.appendChild(make("span", "autosave-ins", "+ " + messages.kept));
      box.appendChild(legend);
      names.forEach(function (name) {
        var before = textLines(opened[name] || "", name === "body");
        var after = textLines(kept.values[name] || "", name === "body");
        if (before.join("\n") === after.join("\n")) return;
        box.appendChild(make("h3", "", options.fields[name]));
        box.appendChild(renderDiff(diffLines(before, after)));
      });
      var restore = make("button", "button default autosave-restore", messages.restore);
      var discard = make("button", "button autosave-discard", messages.discard);
      restore.type = discard.type = "button";
      restore.addEventListener("click", function () {
        names.forEach(function (name) {
          var value = kept.values[name] || "";
          if (name === "body" && editor()) editor().setData(value);
          else form.elements[name].value = value;
        });
        dirty = true;
        store();
        box.replaceChildren(make("p", "autosave-done", messages.restored));
      });
      discard.addEventListener("click", function () {
        localStorage.removeItem(key);
        last = JSON.stringify(opened);
        box.remove();
      });
      var buttons = make("p", "autosave-buttons");
      buttons.appendChild(restore);
      buttons.appendChild(discard);
      box.appendChild(buttons);
      root.appendChild(box);
    }

    var kept = null;
    try { kept = JSON.parse(localStorage.getItem(key) || "null"); } catch (error) { kept = null; }
    if (document.querySelector(".errornote, #edit-conflict")) {
      // A save that came back (errors, or a conflict to merge): the form already holds this
      // editor's text, merged with a colleague's fields; offering an older copy could only
      // undo the merge. What the form holds now is what is kept.
      kept = null;
      dirty = true;
      store();
    }
    if (kept && kept.values) {
      if (kept.at <= options.last_saved) {
        localStorage.removeItem(key);  // this user saved the article after it was kept
      } else if (!sameText(kept.values, opened)) {
        offer(kept);
      }
    }

    var pending = null;
    function soon() {
      dirty = true;
      clearTimeout(pending);
      pending = setTimeout(store, 500);
    }
    form.addEventListener("input", soon);
    form.addEventListener("submit", store);
    window.addEventListener("pagehide", store);
    document.addEventListener("visibilitychange", store);
    setInterval(store, 3000);
    var tries = 0;
    var hook = setInterval(function () {
      if (!editor() && ++tries < 100) return;
      clearInterval(hook);
      if (!editor()) return;
      editor().model.document.on("change:data", soon);
    }, 200);
  }

  document.addEventListener("DOMContentLoaded", function () {
    root = document.getElementById("editor-presence");
    form = root && root.closest("form");
    if (!form) return;
    options = JSON.parse(root.getAttribute("data-options"));
    messages = options.messages;
    if (options.presence_url) startPresence();
    startAutosave();
  });
})();
