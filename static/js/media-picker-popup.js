// The media library picker, opened as a popup by the article form (media-picker.js): a click on
// an image hands it back to the form that opened the popup (same origin only) and closes it.
(function () {
  "use strict";

  document.addEventListener("click", function (event) {
    const item = event.target.closest(".media-pick-item");
    const root = document.querySelector(".media-picker");
    if (!item || !root || !window.opener || window.opener.closed) {
      return;
    }
    const data = item.dataset;
    window.opener.postMessage(
      {
        kind: "newsroom:media-pick",
        target: root.dataset.target,
        image: {
          id: data.id,
          url: data.url,
          alt: data.alt || "",
          caption: data.caption || "",
          width: data.width || "",
          height: data.height || "",
          name: data.name || "",
        },
      },
      window.location.origin
    );
    window.close();
  });
})();
