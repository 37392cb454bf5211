// The share block's copy-link button (templates/includes/share.html). Without this script the
// button stays hidden and the link field shows; with it, the button copies and the field hides
// until copying fails.
document.querySelectorAll("[data-share]").forEach((block) => {
  const button = block.querySelector("[data-copy-target]");
  const field = document.getElementById(button.dataset.copyTarget);
  const status = block.querySelector(".share-status");
  const fieldRow = field.closest(".share-link");

  function selectField() {
    fieldRow.hidden = false;
    field.focus();
    field.select();
  }

  let clearing;
  function say(message) {
    status.textContent = message;
    clearTimeout(clearing);
    clearing = setTimeout(() => { status.textContent = ""; }, 5000);
  }

  async function copy() {
    try {
      await navigator.clipboard.writeText(field.value);
      say(status.dataset.copied);
    } catch {
      selectField();
      say(document.execCommand("copy") ? status.dataset.copied : status.dataset.failed);
    }
  }

  button.hidden = false;
  fieldRow.hidden = true;
  button.addEventListener("click", copy);
});
