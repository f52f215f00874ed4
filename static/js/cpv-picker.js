// Code picker (CPV, or SIC where data-kind says so): find codes by words as you type and add
// them to the codes field.
// Progressive enhancement: without JavaScript the codes field is typed directly.
(function () {
  "use strict";

  function debounce(fn, ms) {
    var timer;
    return function () {
      var args = arguments;
      clearTimeout(timer);
      timer = setTimeout(function () { fn.apply(null, args); }, ms);
    };
  }

  function setup(group) {
    var codes = group.querySelector(".cpv-picker__codes");
    var search = group.querySelector(".cpv-picker__search");
    var input = group.querySelector(".cpv-picker__input");
    var list = group.querySelector(".cpv-picker__options");
    var status = group.querySelector(".cpv-picker__status");
    var endpoint = group.getAttribute("data-endpoint");
    var kind = group.getAttribute("data-kind") || "CPV";
    var active = -1;
    var closing;  // the pending close after the search loses the focus
    search.hidden = false;

    function addCode(code) {
      var current = codes.value.split(/[\s,;]+/).filter(Boolean);
      if (current.indexOf(code) === -1) current.push(code);
      codes.value = current.join(" ");
      status.textContent = "Added " + code;
    }

    function close() {
      list.innerHTML = "";
      input.setAttribute("aria-expanded", "false");
      input.removeAttribute("aria-activedescendant");
      active = -1;
    }

    function highlight(index) {
      var items = list.querySelectorAll("li");
      items.forEach(function (li, i) { li.setAttribute("aria-selected", i === index ? "true" : "false"); });
      active = index;
      if (items[index]) input.setAttribute("aria-activedescendant", items[index].id);
    }

    function render(results) {
      clearTimeout(closing);
      close();
      results.forEach(function (r, i) {
        var li = document.createElement("li");
        li.id = input.id + "-option-" + i;
        li.setAttribute("role", "option");
        li.setAttribute("data-code", r.code);
        li.textContent = r.code + " " + r.description;
        li.addEventListener("mousedown", function (e) {
          e.preventDefault();
          addCode(r.code);
          input.value = "";
          close();
        });
        list.appendChild(li);
      });
      input.setAttribute("aria-expanded", results.length ? "true" : "false");
      status.textContent = results.length + " codes found";
    }

    var lookup = debounce(function (query) {
      if (query.trim().length < 2) { close(); return; }
      fetch(endpoint + "?q=" + encodeURIComponent(query), { headers: { "Accept": "application/json" } })
        .then(function (r) { return r.json(); })
        .then(function (data) { if (input.value === query) render(data.results || []); })
        .catch(function () { status.textContent = "Could not search " + kind + " codes"; });
    }, 150);

    input.addEventListener("input", function () { lookup(input.value); });
    input.addEventListener("keydown", function (e) {
      var items = list.querySelectorAll("li");
      if (e.key === "ArrowDown") { e.preventDefault(); highlight(Math.min(active + 1, items.length - 1)); }
      else if (e.key === "ArrowUp") { e.preventDefault(); highlight(Math.max(active - 1, 0)); }
      else if (e.key === "Enter") {
        if (active >= 0 && items[active]) {
          e.preventDefault();
          addCode(items[active].getAttribute("data-code"));
          input.value = "";
          close();
        } else if (items.length) {
          e.preventDefault();
        }
      } else if (e.key === "Escape") { close(); }
    });
    // Leaving the search closes its list, unless new results come first (the suggest button
    // takes the focus from the search, and its answer may beat the close).
    input.addEventListener("blur", function () { closing = setTimeout(close, 150); });

    // Suggestions from what has been written (title or name, and description): codes learnt
    // from the CPV vocabulary and past notices.
    var suggest = group.querySelector(".cpv-picker__suggest");
    var note = group.querySelector(".cpv-picker__note");
    // What the suggest button found, shown beside it (the status is read out, not shown).
    function tell(message) {
      status.textContent = message;
      note.textContent = message;
      note.hidden = !message;
    }
    if (suggest) {
      suggest.addEventListener("click", function () {
        tell("");
        // The fields to read, by id ("title description"): a title names the work best.
        var text = group.getAttribute("data-suggest-from").split(" ").map(function (id) {
          var source = document.getElementById(id);
          return source ? source.value.trim() : "";
        }).filter(function (value) { return value; }).join(". ");
        if (text.length < 3) { tell("Write a few words about the work first"); return; }
        fetch(group.getAttribute("data-suggest-endpoint") + "?text=" + encodeURIComponent(text),
              { headers: { "Accept": "application/json" } })
          .then(function (r) { if (!r.ok) throw new Error(r.status); return r.json(); })
          .then(function (data) {
            var found = data.suggestions || [];
            render(found.map(function (s) {
              // "likely": it leads a CPV group holding most of the confidence (cpv_suggest.likely).
              var said = s.likely ? " (suggested, likely)" : " (suggested)";
              return { code: s.code, description: s.description + said };
            }));
            if (!found.length) {
              tell("Nothing to suggest from these words: say what the work is, like " +
                   "\u201cwindow cleaning\u201d, or find a code by words above");
            }
            input.focus();
          })
          .catch(function () { tell("Could not suggest CPV codes: try again, or find a code by words above"); });
      });
    }
  }

  document.querySelectorAll('[data-module="cpv-picker"]').forEach(setup);
})();
