// Tollgate console: small enhancements of server-rendered pages. Every
// page works without it.
(function () {
  "use strict";
  // <button data-copy="#id">: copies the text of the element #id.
  document.addEventListener("click", function (ev) {
    var b = ev.target.closest("[data-copy]");
    if (!b) return;
    var el = document.querySelector(b.getAttribute("data-copy"));
    if (!el) return;
    var text = el.value !== undefined && el.tagName !== "CODE" ? el.value : el.textContent;
    var done = function () {
      var old = b.textContent;
      b.textContent = "Copied";
      setTimeout(function () { b.textContent = old; }, 1500);
    };
    if (navigator.clipboard && navigator.clipboard.writeText) {
      navigator.clipboard.writeText(text.trim()).then(done, function () {});
    }
  });
  // <form data-confirm="Delete …?">: asks before submitting.
  document.addEventListener("submit", function (ev) {
    var f = ev.target;
    var msg = f.getAttribute && f.getAttribute("data-confirm");
    if (msg && !window.confirm(msg)) ev.preventDefault();
  });
  // <select data-autosubmit>, <input data-autosubmit>: submit their form
  // on change (filters).
  document.addEventListener("change", function (ev) {
    var el = ev.target;
    if (el.hasAttribute && el.hasAttribute("data-autosubmit") && el.form) el.form.requestSubmit();
  });
  // <time datetime=… data-ago>: relative time, refreshed.
  function ago() {
    document.querySelectorAll("time[data-ago]").forEach(function (t) {
      var d = (Date.now() - Date.parse(t.getAttribute("datetime"))) / 1000;
      var s = d < 10 ? "just now" : d < 60 ? Math.floor(d) + " s ago" : d < 3600 ? Math.floor(d / 60) + " min ago" :
        d < 172800 ? Math.floor(d / 3600) + " h ago" : Math.floor(d / 86400) + " days ago";
      if (d < 0) s = "in " + Math.ceil(-d / 60) + " min";
      t.textContent = s;
    });
  }
  ago();
  setInterval(ago, 15000);
  // <section data-refresh="10">: reloads the page every N seconds while
  // it is visible (recent requests).
  var r = document.querySelector("[data-refresh]");
  if (r) {
    var n = parseInt(r.getAttribute("data-refresh"), 10);
    if (n > 0) setInterval(function () { if (!document.hidden) location.reload(); }, n * 1000);
  }
})();
