// The editor's preview pane uses the site's own stylesheet: what an entry's text looks like on the
// site, without re-implementing the page templates (the real preview is the built site, linked
// from "Xem trước" for every entry under review).
/* global CMS */
(function () {
  'use strict';
  if (typeof CMS === 'undefined') return;
  CMS.registerPreviewStyle('/theme/css/site.css');
}());
