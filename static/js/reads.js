// 阅读量: tells the site a reader opened this article. The page may come from a cache, so it
// cannot count itself; this posts once to the beacon named by data-read-url (same origin, no
// body, no cookie needed), which answers 204. A page the browser prerenders counts only once it
// is shown. Loaded by the article page only.
(function () {
  "use strict";

  var script = document.currentScript;
  var url = script && script.getAttribute("data-read-url");
  if (!url) {
    return;
  }

  function send() {
    if (navigator.sendBeacon && navigator.sendBeacon(url)) {
      return;
    }
    if (window.fetch) {
      fetch(url, { method: "POST", keepalive: true, credentials: "omit" }).catch(function () {});
    }
  }

  if (document.prerendering) {
    document.addEventListener("prerenderingchange", send, { once: true });
  } else {
    send();
  }
})();
