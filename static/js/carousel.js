// The home page's carousel (templates/articles/home.html): a track that scrolls sideways, one
// slide per screen, and a dot per slide. Without this script each dot is a plain link to its
// slide (#slide-N), which also scrolls the page. With it, a dot turns the carousel by scrolling
// the track alone: the page stays where it is, so the slide never ends up under the sticky
// header. The dot of the slide on screen carries aria-current="true" (styled in site.css),
// whether the reader tapped a dot, swiped or tabbed to a slide.
document.querySelectorAll("[data-carousel]").forEach((carousel) => {
  const track = carousel.querySelector(".carousel-track");
  const dots = [...carousel.querySelectorAll(".carousel-dots a")];
  if (!track || dots.length < 2) return;

  function shown() {
    const width = track.clientWidth || 1;
    return Math.max(0, Math.min(dots.length - 1, Math.round(track.scrollLeft / width)));
  }

  function mark(index) {
    dots.forEach((dot, i) => {
      if (i === index) dot.setAttribute("aria-current", "true");
      else dot.removeAttribute("aria-current");
    });
  }

  // While the track glides to a tapped dot's slide, the slides it passes are not marked.
  let aiming = null;
  let giveUp;
  function settle() {
    aiming = null;
    mark(shown());
  }

  dots.forEach((dot, index) => {
    dot.addEventListener("click", (event) => {
      event.preventDefault();
      aiming = index;
      mark(index);
      track.scrollTo({ left: index * track.clientWidth });
      clearTimeout(giveUp);
      giveUp = setTimeout(settle, 1500);
    });
  });

  let frame;
  track.addEventListener(
    "scroll",
    () => {
      cancelAnimationFrame(frame);
      frame = requestAnimationFrame(() => {
        const index = shown();
        if (aiming !== null && index !== aiming) return;
        aiming = null;
        mark(index);
      });
    },
    { passive: true },
  );
  track.addEventListener("scrollend", settle);

  mark(shown());
});
