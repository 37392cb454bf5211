// Body images of an article with the lightbox on open in a GLightbox gallery: arrow keys and
// Escape, swipe on touch screens, the figure's caption (or the image's alt text) underneath.
// Loaded only by articles/article_detail.html when Article.lightbox is on; no inline script.
(function () {
  "use strict";

  var images = document.querySelectorAll(".article.has-lightbox .article-body img");
  if (!images.length || typeof window.GLightbox !== "function") {
    return;
  }

  // The widest srcset candidate is the full-size rendition (1920 px at most).
  function fullSize(img) {
    var best = null;
    var bestWidth = 0;
    (img.getAttribute("srcset") || "").split(",").forEach(function (candidate) {
      var parts = candidate.trim().split(/\s+/);
      var width = parseInt((parts[1] || "").replace(/w$/, ""), 10);
      if (parts[0] && width > bestWidth) {
        best = parts[0];
        bestWidth = width;
      }
    });
    return best || img.currentSrc || img.src;
  }

  function caption(img) {
    var figure = img.closest("figure");
    var figcaption = figure && figure.querySelector("figcaption");
    var text = figcaption ? figcaption.textContent.trim() : "";
    return text || img.alt || "";
  }

  // GLightbox puts descriptions in with innerHTML: hand it escaped text only.
  function escapeHtml(text) {
    var div = document.createElement("div");
    div.textContent = text;
    return div.innerHTML;
  }

  var elements = [];
  var gallery = null;

  images.forEach(function (img) {
    var target = img.closest("picture") || img;
    if (target.closest("a")) {
      return; // an image that is already a link keeps its link
    }
    var href = fullSize(img);
    var link = document.createElement("a");
    link.href = href;
    link.className = "lightbox-link";
    link.setAttribute("data-gallery", "article");
    target.parentNode.insertBefore(link, target);
    link.appendChild(target);

    var position = elements.length;
    elements.push({ href: href, type: "image", alt: img.alt, description: escapeHtml(caption(img)) });
    link.addEventListener("click", function (event) {
      event.preventDefault();
      gallery.openAt(position);
    });
  });

  if (elements.length) {
    gallery = window.GLightbox({
      elements: elements,
      loop: false,
      touchNavigation: true,
      keyboardNavigation: true,
      descPosition: "bottom",
    });
  }
})();
