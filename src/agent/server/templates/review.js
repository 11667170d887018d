(function () {
  "use strict";
  var data = JSON.parse(document.getElementById("pm-data").textContent);
  var base = "/drafts/" + encodeURIComponent(data.incident_id);
  var urlToken = new URLSearchParams(location.search).get("token");
  var draftEl = document.getElementById("draft");
  var editor = document.getElementById("editor");
  var REF_RE = /\b(?:span|chat):[A-Za-z0-9_.:\-]+/g;

  function headers(json) {
    var h = { "X-Requested-With": "pmdraft" };
    if (json) h["Content-Type"] = "application/json";
    if (urlToken) h["X-Review-Token"] = urlToken;
    return h;
  }

  function say(text, isError) {
    var el = document.getElementById("message");
    el.textContent = text;
    el.hidden = !text;
    el.className = "message" + (isError ? " error" : "");
  }

  // ---- wrap text in the rendered draft -------------------------------------------------------
  function textNodes(root) {
    var out = [], walker = document.createTreeWalker(root, NodeFilter.SHOW_TEXT, null);
    while (walker.nextNode()) out.push(walker.currentNode);
    return out;
  }

  function wrapRange(node, start, end, make) {
    var middle = node.splitText(start);
    middle.splitText(end - start);
    var el = make();
    middle.parentNode.replaceChild(el, middle);
    el.appendChild(middle);
    return el;
  }

  function linkRefs(root) {
    textNodes(root).forEach(function (node) {
      if (node.parentNode.closest("a.ref")) return;
      var text = node.nodeValue, found = [], m;
      REF_RE.lastIndex = 0;
      while ((m = REF_RE.exec(text)) !== null) {
        var ref = m[0].replace(/[.:\-]+$/, "");
        found.push([m.index, m.index + ref.length, ref]);
      }
      for (var i = found.length - 1; i >= 0; i--) {
        (function (f) {
          wrapRange(node, f[0], f[1], function () {
            var a = document.createElement("a");
            a.href = "#"; a.className = "ref"; a.dataset.ref = f[2];
            return a;
          });
        })(found[i]);
      }
    });
  }

  function norm(s) { return s.replace(/\s+/g, " ").trim(); }

  function markFirst(root, needle, make) {
    if (!needle) return false;
    var nodes = textNodes(root);
    for (var i = 0; i < nodes.length; i++) {
      var node = nodes[i];
      if (node.parentNode.closest("mark.flag, .quote")) continue;
      var text = node.nodeValue, at = text.indexOf(needle);
      if (at >= 0) { wrapRange(node, at, at + needle.length, make); return true; }
    }
    return false;
  }

  function markQuotes() {
    data.quotes.forEach(function (q) {
      var needle = norm(q.text).slice(0, 50);
      var nodes = textNodes(draftEl);
      for (var i = 0; i < nodes.length; i++) {
        var text = nodes[i].nodeValue, at = text.indexOf(needle);
        if (at < 0 || nodes[i].parentNode.closest(".quote, a.ref")) continue;
        // The whole quotation when its closing mark is in the same text, else its opening words.
        var close = text.indexOf("\u201d", at + needle.length);
        var end = close > 0 && close - at < 3000 ? close : at + needle.length;
        wrapRange(nodes[i], at, end, function () {
          var s = document.createElement("span");
          s.className = "quote"; s.dataset.ref = q.ref; s.title = "Quoted from " + q.ref + " — click for the span";
          return s;
        });
        return;
      }
    });
  }

  function markFlags() {
    data.flags.forEach(function (f) {
      var needle = norm(f.text || "");
      if (needle.length > 80) needle = needle.slice(0, 80);
      markFirst(draftEl, needle, function () {
        var m = document.createElement("mark");
        m.className = "flag"; m.dataset.code = f.code;
        m.title = f.code + ": " + f.why + " — " + f.suggestion;
        return m;
      });
    });
  }

  // ---- evidence panel ---------------------------------------------------------------------------
  function show(item) {
    var body = document.getElementById("evidence-body");
    body.textContent = "";
    var title = document.createElement("div");
    title.className = "ev-title"; title.textContent = item.title + " (" + item.ref + ")";
    body.appendChild(title);
    var meta = document.createElement("div");
    meta.className = "ev-meta";
    meta.textContent = Object.keys(item.meta).map(function (k) { return k + ": " + item.meta[k]; }).join(" · ");
    body.appendChild(meta);
    item.sections.forEach(function (s) {
      var sec = document.createElement("div"); sec.className = "ev-section";
      var h = document.createElement("h4"); h.textContent = s.label;
      var pre = document.createElement("pre"); pre.textContent = s.text;
      sec.appendChild(h); sec.appendChild(pre); body.appendChild(sec);
    });
  }

  function openRef(ref, el) {
    document.querySelectorAll(".ref.active, .quote.active").forEach(function (a) { a.classList.remove("active"); });
    if (el) el.classList.add("active");
    say("");
    fetch(base + "/evidence?ref=" + encodeURIComponent(ref), { headers: headers(false), credentials: "same-origin" })
      .then(function (r) {
        return r.json().then(function (j) { if (!r.ok) throw new Error(j.detail || r.statusText); return j; });
      })
      .then(show)
      .catch(function (e) { say(ref + ": " + e.message, true); });
  }

  document.addEventListener("click", function (ev) {
    var el = ev.target.closest(".ref, .quote");
    if (!el) return;
    ev.preventDefault();
    openRef(el.dataset.ref, el);
  });

  // ---- edit, save, approve -----------------------------------------------------------------------
  var editBtn = document.getElementById("edit");
  if (editBtn) {
    var saveBtn = document.getElementById("save"), cancelBtn = document.getElementById("cancel");
    var approveBtn = document.getElementById("approve"), reviewer = document.getElementById("reviewer");
    var original = editor.value;
    try { reviewer.value = localStorage.getItem("pmdraft.reviewer") || ""; } catch (e) { /* storage off */ }

    function editing(on) {
      editor.hidden = !on; draftEl.hidden = on;
      saveBtn.hidden = !on; cancelBtn.hidden = !on; editBtn.hidden = on;
      if (on) editor.focus();
    }
    editBtn.addEventListener("click", function () { editing(true); });
    cancelBtn.addEventListener("click", function () { editor.value = original; editing(false); });

    function post(action, markdown) {
      var name = reviewer.value.trim();
      try { localStorage.setItem("pmdraft.reviewer", name); } catch (e) { /* storage off */ }
      [saveBtn, approveBtn, editBtn].forEach(function (b) { b.disabled = true; });
      say(action === "approve" ? "Publishing…" : "Saving and linting your edits…");
      return fetch(base + "/" + action, {
        method: "POST", headers: headers(true), credentials: "same-origin",
        body: JSON.stringify({ markdown: markdown, reviewer: name || null })
      }).then(function (r) {
        return r.json().then(function (j) { if (!r.ok) throw new Error(j.detail || r.statusText); return j; });
      }).then(function (j) {
        say(j.status === "published" ? "Published." :
            "Saved. " + j.reviewer_flags.length + " flag(s) on your edits.");
        location.reload();
      }).catch(function (e) {
        say(e.message, true);
        [saveBtn, approveBtn, editBtn].forEach(function (b) { b.disabled = false; });
      });
    }
    saveBtn.addEventListener("click", function () { post("save", editor.value); });
    approveBtn.addEventListener("click", function () {
      var changed = editor.value !== original;
      post("approve", changed ? editor.value : null);
    });
  }

  linkRefs(draftEl);
  markQuotes();
  markFlags();
})();
