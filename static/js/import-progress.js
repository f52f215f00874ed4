// Poll an import's progress and reload the page when it has finished.
(function () {
  "use strict";
  var box = document.querySelector('[data-module="import-progress"]');
  if (!box) return;
  var bar = box.querySelector("progress");
  var stage = box.querySelector("#import-stage");
  function poll() {
    fetch(box.getAttribute("data-url"), { headers: { "Accept": "application/json" } })
      .then(function (r) { return r.json(); })
      .then(function (data) {
        if (data.progress) {
          bar.value = data.progress.fraction;
          bar.textContent = Math.round(data.progress.fraction * 100) + "%";
          stage.textContent = data.progress.stage.charAt(0).toUpperCase() + data.progress.stage.slice(1) + "…";
        }
        // Finished, or put back to be started again (its runner stopped): show the new state.
        var started = data.status === "queued" || data.status === "running";
        if (data.finished || !started) { window.location.reload(); } else { setTimeout(poll, 1000); }
      })
      .catch(function () { setTimeout(poll, 3000); });
  }
  poll();
})();
