// Click-to-load videos: an article body holds a placeholder per video (a link to watch it on
// the provider's site, which is what readers without scripts get). Nothing from YouTube or
// bilibili loads until the reader clicks; then the placeholder becomes the provider's player.
// The player's URL is built here from the provider and the video's id alone, each checked
// again: never a URL taken from the body. Loaded only on pages whose body has a placeholder.
(function () {
  "use strict";

  var PROVIDERS = {
    youtube: {
      id: /^[A-Za-z0-9_-]{11}$/,
      src: function (id) {
        return "https://www.youtube-nocookie.com/embed/" + id + "?autoplay=1&rel=0";
      },
    },
    bilibili: {
      id: /^(BV[0-9A-Za-z]{10}|av[1-9][0-9]{0,11})$/,
      src: function (id, page) {
        var key = id.indexOf("BV") === 0 ? "bvid=" + id : "aid=" + id.slice(2);
        return (
          "https://player.bilibili.com/player.html?" + key + "&page=" + page +
          "&autoplay=1&high_quality=1"
        );
      },
    },
  };
  var PAGE = /^[1-9][0-9]{0,2}$/;

  function playerFor(box) {
    var provider = PROVIDERS[box.getAttribute("data-embed")];
    var id = box.getAttribute("data-embed-id") || "";
    var page = box.getAttribute("data-embed-page") || "1";
    if (!provider || !provider.id.test(id) || !PAGE.test(page)) {
      return null;
    }
    var title = box.querySelector(".video-title");
    var frame = document.createElement("iframe");
    frame.src = provider.src(id, page);
    frame.title = title ? title.textContent : "";
    frame.className = "video-frame";
    frame.setAttribute("allowfullscreen", "");
    frame.setAttribute("allow", "autoplay; encrypted-media; picture-in-picture; fullscreen");
    frame.setAttribute("referrerpolicy", "strict-origin-when-cross-origin");
    // The players need their own scripts and storage, nothing more: no top navigation,
    // no forms, no downloads.
    frame.setAttribute(
      "sandbox",
      "allow-scripts allow-same-origin allow-presentation allow-popups"
    );
    return frame;
  }

  function play(event) {
    var box = event.currentTarget.closest("[data-embed]");
    var frame = box && playerFor(box);
    if (!frame) {
      return; // not a video we know: the link opens the provider's page
    }
    event.preventDefault();
    box.replaceChildren(frame);
    box.classList.add("is-playing");
    frame.focus();
  }

  document.querySelectorAll(".article-body [data-embed]").forEach(function (box) {
    var link = box.querySelector("a.video-link");
    if (link && playerFor(box)) {
      link.addEventListener("click", play);
      box.classList.add("is-ready");
    }
  });
})();
