// The article form's ways into the media library: "pick the featured image" next to the
// featured image field and "insert an image" above the body. Both open the library's picker
// (admin/articles/mediaimage/picker.html) in a popup; the chosen image comes back by
// postMessage (media-picker-popup.js). A featured pick sets the hidden library_image field
// (the file is not uploaded again) and fills an empty alt text and caption; a body pick is
// inserted at the cursor through the CKEditor 5 instance django-ckeditor-5 keeps in
// window.editors.
(function () {
  "use strict";

  let popup = null;

  function openPicker(url, target) {
    const address = new URL(url, window.location.href);
    address.searchParams.set("_popup", "1");
    address.searchParams.set("target", target);
    popup = window.open(
      address.toString(),
      "media_picker",
      "width=980,height=760,resizable=yes,scrollbars=yes"
    );
    if (popup) {
      popup.focus();
    }
  }

  function button(label, target, url) {
    const link = document.createElement("button");
    link.type = "button";
    link.className = "button media-picker-open";
    link.dataset.target = target;
    link.textContent = label;
    link.addEventListener("click", function () {
      openPicker(url, target);
    });
    return link;
  }

  function fillIfEmpty(id, value) {
    const input = document.getElementById(id);
    if (input && value && !input.value.trim()) {
      input.value = value;
    }
  }

  function setFeatured(hidden, image) {
    hidden.value = image.id;
    const file = document.getElementById("id_featured_image");
    if (file) {
      file.value = "";
    }
    const clear = document.getElementById("featured_image-clear_id");
    if (clear) {
      clear.checked = false;
    }
    fillIfEmpty("id_featured_image_alt", image.alt);
    fillIfEmpty("id_featured_image_caption", image.caption);
    let chosen = document.querySelector(".media-picked");
    if (!chosen) {
      chosen = document.createElement("div");
      chosen.className = "media-picked";
      document.querySelector(".media-picker-open[data-target=featured]").parentNode.appendChild(chosen);
    }
    const preview = document.createElement("img");
    preview.src = image.url;
    preview.alt = image.alt;
    const name = document.createElement("span");
    name.textContent = (hidden.dataset.chosenLabel || "") + image.name;
    chosen.replaceChildren(preview, name);
  }

  function insertIntoBody(image) {
    const editor = window.editors && window.editors.id_body;
    if (!editor) {
      return;
    }
    const figure = document.createElement("figure");
    figure.className = "image";
    const img = document.createElement("img");
    img.setAttribute("src", image.url);
    img.setAttribute("alt", image.alt);
    if (image.width && image.height) {
      img.setAttribute("width", image.width);
      img.setAttribute("height", image.height);
    }
    figure.appendChild(img);
    if (image.caption) {
      const caption = document.createElement("figcaption");
      caption.textContent = image.caption;
      figure.appendChild(caption);
    }
    const view = editor.data.processor.toView(figure.outerHTML);
    editor.model.insertContent(editor.data.toModel(view));
    editor.editing.view.focus();
  }

  function setUp() {
    const hidden = document.querySelector("input[data-media-picker]");
    if (!hidden) {
      return;
    }
    const url = hidden.dataset.mediaPicker;
    const file = document.getElementById("id_featured_image");
    if (file) {
      const row = document.createElement("div");
      row.className = "media-picker-row";
      row.appendChild(button(hidden.dataset.featuredLabel, "featured", url));
      (file.closest(".flex-container") || file).after(row);
      if (hidden.value && hidden.dataset.chosenUrl) {  // a refused form shown again
        setFeatured(hidden, {
          id: hidden.value,
          url: hidden.dataset.chosenUrl,
          alt: "",
          caption: "",
          name: hidden.dataset.chosenName || "",
        });
      }
      file.addEventListener("change", function () {
        hidden.value = "";
        const chosen = document.querySelector(".media-picked");
        if (chosen) {
          chosen.remove();
        }
      });
    }
    const body = document.getElementById("id_body");
    if (body && !body.disabled) {
      const row = document.createElement("div");
      row.className = "media-picker-row";
      row.appendChild(button(hidden.dataset.bodyLabel, "body", url));
      (body.closest(".flex-container") || body).before(row);
    }
    window.addEventListener("message", function (event) {
      const data = event.data;
      if (event.origin !== window.location.origin || !popup || event.source !== popup) {
        return;
      }
      if (!data || data.kind !== "newsroom:media-pick" || !data.image) {
        return;
      }
      if (data.target === "featured") {
        setFeatured(hidden, data.image);
      } else {
        insertIntoBody(data.image);
      }
    });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", setUp);
  } else {
    setUp();
  }
})();
