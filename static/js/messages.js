/* A message after an action ("saved", "refused") is in a box that is already
   on the page when it loads, and screen readers do not read such a box out by
   itself (role="status" only announces changes). So:
   - normally the focus moves to the box: it is read out, and keyboard users
     go on from there;
   - when the address points to a place on the page (#…), the page sent the
     reader there on purpose (back to the same row of a long list), so the
     focus stays and the box's text is put back in a moment later instead: a
     change that role="status" does announce. */
(function () {
  "use strict";
  var box = document.querySelector(".messages");
  if (!box) { return; }
  var hash = window.location.hash.slice(1);
  if (hash && document.getElementById(decodeURIComponent(hash))) {
    var content = Array.prototype.slice.call(box.childNodes);
    content.forEach(function (node) { box.removeChild(node); });
    window.setTimeout(function () {
      content.forEach(function (node) { box.appendChild(node); });
    }, 400);
    return;
  }
  box.setAttribute("tabindex", "-1");
  box.focus();
})();
