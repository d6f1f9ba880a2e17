// Runs before the page is first drawn (a plain <script>, not deferred): a person who has
// already read how the quick exit works in this tab does not see the note appear and then
// vanish, which would move everything under it.
(function () {
  "use strict";
  try {
    if (sessionStorage.getItem("lotsen.exitExplained") === "1") {
      document.documentElement.classList.add("exit-explained");
    }
  } catch (_) {
    // No sessionStorage (a strict privacy mode): the note shows, which is no harm.
  }
})();
