"""The access matrix: every route, every role, own and other organisation, read and write.

One table, MATRIX_TEXT, says what each person gets from each route. It is the access policy
(paqa/core/access.py, docs/design.md section 3) written out route by route:

- a record outside your reach does not exist for you: 404;
- a record you may read but not change: 403;
- a page or action your role is never allowed: 403 (a view may ask the role before it looks the
  record up: that 403 says nothing about the record, and is what the table then expects);
- an organisation's drafts are invisible to every other organisation, the partnership's
  included, until they are submitted.

Columns, who asks: adm (partnership admin), paqa (PAQA member) and brd (board member) hold their
roles in the Business Unit; lead (agency lead), aud (auditor) and anl (analyst) in the Police
Agency; anon is not signed in. Rows: "own" asks about a record of the Police Agency, "other"
about the same kind of record of the Health Agency, "-" about a record (or a page) of no one
organisation. target names the record that fills the URL (tests/access_matrix_fixtures.py).

Answers: 200 a page; 302 a redirect (after an action done, or onwards); in a redirect to the
sign-in page; 400 let in, but the request is refused as incomplete; 403; 404. how: GET reads;
POST writes, sending the data in POST_DATA or nothing: an empty form shown again with its
errors (200) still shows the person was let in.

The API (/api/v1/) has its own table, API_MATRIX_TEXT: it answers to organisations' keys.

A new route fails test_every_route_has_a_row until it has rows here.
"""

from __future__ import annotations

import copy
import json
from collections import defaultdict
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

import pytest
from django.core.cache import cache
from django.db import transaction
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse, reverse_lazy

from tests.access_matrix_fixtures import ANY, OTHER, OWN, ROLE_COLUMNS, World, access_world

__all__ = ["access_world"]  # the module-wide records, as a fixture of this module

ANSWERS = {"200", "204", "302", "400", "401", "403", "404", "405", "409", "in"}

MATRIX_TEXT = """
# route                            target             how  side  adm  paqa lead aud  anl  brd  anon

# core --------------------------------------------------------------------------------------------
# Core: the home page is everyone's; the change history is the admin's (view_history).
core:home                          -                  GET  -     200  200  200  200  200  200  in
core:healthz                       -                  GET  -     200  200  200  200  200  200  200
core:accessibility                 -                  GET  -     200  200  200  200  200  200  200
core:cookies                       -                  GET  -     200  200  200  200  200  200  200
core:history                       -                  GET  -     200  403  403  403  403  403  in

# accounts ----------------------------------------------------------------------------------------
# Your own account: the same for every role. Signing in, its second step and resetting
# a password are public. mfa-verify and mfa-recovery are the middle of signing in: with no
# sign-in under way they send you back to sign in, signed in or not; so does signing out.
accounts:sign-in                   -                  GET  -     302  302  302  302  302  302  200
accounts:sign-in                   -                  POST -     302  302  302  302  302  302  200
accounts:mfa-verify                -                  GET  -     in   in   in   in   in   in   in
accounts:mfa-verify                -                  POST -     in   in   in   in   in   in   in
accounts:mfa-recovery              -                  GET  -     in   in   in   in   in   in   in
accounts:mfa-recovery              -                  POST -     in   in   in   in   in   in   in
accounts:mfa-set-up                -                  GET  -     200  200  200  200  200  200  in
accounts:mfa-set-up                -                  POST -     200  200  200  200  200  200  in
accounts:sign-out                  -                  POST -     in   in   in   in   in   in   in
accounts:session-extend            -                  POST -     302  302  302  302  302  302  in
accounts:account                   -                  GET  -     200  200  200  200  200  200  in
accounts:digest                    -                  GET  -     200  200  200  200  200  200  in
accounts:digest                    -                  POST -     400  400  400  400  400  400  in
accounts:recovery-codes            -                  GET  -     302  302  302  302  302  302  in
accounts:recovery-codes-new        -                  POST -     302  302  302  302  302  302  in
accounts:password-change           -                  GET  -     200  200  200  200  200  200  in
accounts:password-change           -                  POST -     200  200  200  200  200  200  in
accounts:password-reset            -                  GET  -     200  200  200  200  200  200  200
accounts:password-reset            -                  POST -     200  200  200  200  200  200  200
accounts:password-reset-sent       -                  GET  -     200  200  200  200  200  200  200
accounts:password-reset-confirm    reset-link         GET  -     200  200  200  200  200  200  200
accounts:password-reset-confirm    reset-link         POST -     200  200  200  200  200  200  200
accounts:password-reset-complete   -                  GET  -     200  200  200  200  200  200  200

# partnership -------------------------------------------------------------------------------------
# The directory: admins change it (manage_directory, partnership-wide). Admin, PAQA and
# board members read all of it; agency leads, auditors and analysts only their own
# organisation and its people (so the other organisation's are 404). organisation-restore
# asks the role before it looks the organisation up. The invitation link is public.
partnership:brand-css              -                  GET  -     200  200  200  200  200  200  200
partnership:settings               -                  GET  -     200  403  403  403  403  403  in
partnership:settings               -                  POST -     200  403  403  403  403  403  in
partnership:organisation-list      -                  GET  -     200  200  200  200  200  200  in
partnership:organisation-create    -                  GET  -     200  403  403  403  403  403  in
partnership:organisation-create    -                  POST -     200  403  403  403  403  403  in
partnership:organisation-detail    organisation       GET  own   200  200  200  200  200  200  in
partnership:organisation-detail    organisation       GET  other 200  200  404  404  404  200  in
partnership:organisation-edit      organisation       GET  own   200  403  403  403  403  403  in
partnership:organisation-edit      organisation       GET  other 200  403  404  404  404  403  in
partnership:organisation-edit      organisation       POST own   200  403  403  403  403  403  in
partnership:organisation-edit      organisation       POST other 200  403  404  404  404  403  in
partnership:organisation-archive   organisation       GET  own   200  403  403  403  403  403  in
partnership:organisation-archive   organisation       GET  other 200  403  404  404  404  403  in
partnership:organisation-archive   organisation       POST own   302  403  403  403  403  403  in
partnership:organisation-archive   organisation       POST other 302  403  404  404  404  403  in
partnership:organisation-restore   organisation       POST own   302  403  403  403  403  403  in
partnership:organisation-restore   organisation       POST other 302  403  403  403  403  403  in
partnership:service-create         organisation       GET  own   200  403  403  403  403  403  in
partnership:service-create         organisation       GET  other 200  403  404  404  404  403  in
partnership:service-create         organisation       POST own   200  403  403  403  403  403  in
partnership:service-create         organisation       POST other 200  403  404  404  404  403  in
partnership:invitation-create      organisation       GET  own   200  403  403  403  403  403  in
partnership:invitation-create      organisation       GET  other 200  403  404  404  404  403  in
partnership:invitation-create      organisation       POST own   200  403  403  403  403  403  in
partnership:invitation-create      organisation       POST other 200  403  404  404  404  403  in
partnership:membership-create      organisation       GET  own   200  403  403  403  403  403  in
partnership:membership-create      organisation       GET  other 200  403  404  404  404  403  in
partnership:membership-create      organisation       POST own   200  403  403  403  403  403  in
partnership:membership-create      organisation       POST other 200  403  404  404  404  403  in
partnership:service-edit           service            GET  own   200  403  403  403  403  403  in
partnership:service-edit           service            GET  other 200  403  404  404  404  403  in
partnership:service-edit           service            POST own   200  403  403  403  403  403  in
partnership:service-edit           service            POST other 200  403  404  404  404  403  in
partnership:service-archive        service            GET  own   200  403  403  403  403  403  in
partnership:service-archive        service            GET  other 200  403  404  404  404  403  in
partnership:service-archive        service            POST own   302  403  403  403  403  403  in
partnership:service-archive        service            POST other 302  403  404  404  404  403  in
partnership:membership-edit        membership         GET  own   200  403  403  403  403  403  in
partnership:membership-edit        membership         GET  other 200  403  404  404  404  403  in
partnership:membership-edit        membership         POST own   200  403  403  403  403  403  in
partnership:membership-edit        membership         POST other 200  403  404  404  404  403  in
partnership:membership-archive     membership         GET  own   200  403  403  403  403  403  in
partnership:membership-archive     membership         GET  other 200  403  404  404  404  403  in
partnership:membership-archive     membership         POST own   302  403  403  403  403  403  in
partnership:membership-archive     membership         POST other 302  403  404  404  404  403  in
partnership:invitation-withdraw    invitation         POST own   302  403  403  403  403  403  in
partnership:invitation-withdraw    invitation         POST other 302  403  404  404  404  403  in
partnership:invitation-accept      invitation-token   GET  -     200  200  200  200  200  200  200
partnership:invitation-accept      invitation-token   POST -     200  200  200  200  200  200  200
partnership:person-list            -                  GET  -     200  200  200  200  200  200  in
partnership:person-detail          person             GET  own   200  200  200  200  200  200  in
partnership:person-detail          person             GET  other 200  200  404  404  404  200  in
partnership:person-edit            person             GET  own   200  403  403  403  403  403  in
partnership:person-edit            person             GET  other 200  403  404  404  404  403  in
partnership:person-edit            person             POST own   200  403  403  403  403  403  in
partnership:person-edit            person             POST other 200  403  404  404  404  403  in
partnership:person-deactivate      person             GET  own   200  403  403  403  403  403  in
partnership:person-deactivate      person             GET  other 200  403  404  404  404  403  in
partnership:person-deactivate      person             POST own   302  403  403  403  403  403  in
partnership:person-deactivate      person             POST other 302  403  404  404  404  403  in
partnership:person-reactivate      person             POST own   302  403  403  403  403  403  in
partnership:person-reactivate      person             POST other 302  403  404  404  404  403  in
partnership:person-mfa-reset       person             GET  own   200  403  403  403  403  403  in
partnership:person-mfa-reset       person             GET  other 200  403  404  404  404  403  in
partnership:person-mfa-reset       person             POST own   302  403  403  403  403  403  in
partnership:person-mfa-reset       person             POST other 302  403  404  404  404  403  in

# api-tokens --------------------------------------------------------------------------------------
# API keys are made and revoked by admins, as the directory is changed.
api-tokens:create                  organisation       GET  own   200  403  403  403  403  403  in
api-tokens:create                  organisation       GET  other 200  403  404  404  404  403  in
api-tokens:create                  organisation       POST own   200  403  403  403  403  403  in
api-tokens:create                  organisation       POST other 200  403  404  404  404  403  in
api-tokens:revoke                  api-token          GET  own   200  403  403  403  403  403  in
api-tokens:revoke                  api-token          GET  other 200  403  404  404  404  403  in
api-tokens:revoke                  api-token          POST own   302  403  403  403  403  403  in
api-tokens:revoke                  api-token          POST other 302  403  404  404  404  403  in

# indicators --------------------------------------------------------------------------------------
# Data is the partnership's: everyone reads it. Importing and editing definitions
# (manage_data): admin and analyst. Commentary (write_commentary): admin, PAQA, analyst.
indicators:dashboard               -                  GET  -     200  200  200  200  200  200  in
indicators:exceptions              -                  GET  -     200  200  200  200  200  200  in
indicators:import                  -                  GET  -     200  403  403  403  200  403  in
indicators:import                  -                  POST -     200  403  403  403  200  403  in
indicators:import-detail           import             GET  -     200  403  403  403  200  403  in
indicators:import-confirm          import             POST -     302  403  403  403  302  403  in
indicators:indicator               indicator          GET  -     200  200  200  200  200  200  in
indicators:indicator-edit          indicator          GET  -     200  403  403  403  200  403  in
indicators:indicator-edit          indicator          POST -     200  403  403  403  200  403  in
indicators:commentary              indicator          POST -     302  302  403  403  302  403  in

# statutory returns: loads and figures for who manages the data set (manage_data); the
# pseudonymous children behind a figure for analysts only (view_child_records): 404 for the rest.
returns:list                       -                  GET  -     200  403  403  403  200  403  in
returns:list                       -                  POST -     200  403  403  403  200  403  in
returns:detail                     statutory-return   GET  -     200  403  403  403  200  403  in
returns:confirm                    statutory-return   POST -     302  403  403  403  302  403  in
returns:delete                     statutory-return   POST -     302  403  403  403  302  403  in
returns:children                   return-figure      GET  -     404  403  403  403  200  403  in

# assessments -------------------------------------------------------------------------------------
# Self-assessment: the summary, heat map and action plan are everyone's. A return is
# its organisation's: its agency lead edits, signs off and submits it; nobody else sees
# a draft (return-draft: 2018-19, still drafts). Once submitted (return-sent: 2017-18)
# admins and PAQA read and challenge it; a board member, auditor or analyst never reads
# returns (404). Cycles, reminders and deadlines (manage_cycles) are the admin's; extend
# is theirs for any return, drafts included (its form shows no answers).
# Submitting needs the check page's token: a POST without it goes back to check (302); a
# submitted return's check and submit send its lead to the return or its confirmation (302).
assessments:home                   -                  GET  -     200  200  200  200  200  200  in
assessments:cycle-create           -                  GET  -     200  403  403  403  403  403  in
assessments:cycle-create           -                  POST -     200  403  403  403  403  403  in
assessments:cycle                  cycle              GET  -     200  200  200  200  200  200  in
assessments:year-on-year           cycle              GET  -     200  200  200  200  200  200  in
assessments:action-plan            cycle              GET  -     200  200  200  200  200  200  in
assessments:reminders              cycle              POST -     302  403  403  403  403  403  in
assessments:return                 return-draft       GET  own   404  404  200  404  404  404  in
assessments:return                 return-draft       GET  other 404  404  404  404  404  404  in
assessments:return                 return-sent        GET  own   200  200  200  404  404  404  in
assessments:return                 return-sent        GET  other 200  200  404  404  404  404  in
assessments:sign-off               return-draft       GET  own   404  404  200  404  404  404  in
assessments:sign-off               return-draft       GET  other 404  404  404  404  404  404  in
assessments:sign-off               return-draft       POST own   404  404  200  404  404  404  in
assessments:sign-off               return-draft       POST other 404  404  404  404  404  404  in
assessments:submit                 return-draft       POST own   404  404  302  404  404  404  in
assessments:submit                 return-draft       POST other 404  404  404  404  404  404  in
assessments:submit                 return-sent        POST own   403  403  302  404  404  404  in
assessments:submit                 return-sent        POST other 403  403  404  404  404  404  in
assessments:check                  return-draft       GET  own   404  404  200  404  404  404  in
assessments:check                  return-draft       GET  other 404  404  404  404  404  404  in
assessments:check                  return-sent        GET  own   403  403  302  404  404  404  in
assessments:check                  return-sent        GET  other 403  403  404  404  404  404  in
assessments:submitted              return-draft       GET  own   404  404  302  404  404  404  in
assessments:submitted              return-draft       GET  other 404  404  404  404  404  404  in
assessments:submitted              return-sent        GET  own   403  403  200  404  404  404  in
assessments:submitted              return-sent        GET  other 403  403  404  404  404  404  in
assessments:accept                 return-sent        POST own   302  302  403  403  403  403  in
assessments:accept                 return-sent        POST other 302  302  403  403  403  403  in
assessments:extend                 return-draft       GET  own   200  403  403  403  403  403  in
assessments:extend                 return-draft       GET  other 200  403  403  403  403  403  in
assessments:extend                 return-draft       POST own   200  403  403  403  403  403  in
assessments:extend                 return-draft       POST other 200  403  403  403  403  403  in
assessments:pdf                    return-sent        GET  own   200  200  200  404  404  404  in
assessments:pdf                    return-sent        GET  other 200  200  404  404  404  404  in
assessments:answer                 standard-draft     GET  own   404  404  200  404  404  404  in
assessments:answer                 standard-draft     GET  other 404  404  404  404  404  404  in
assessments:answer                 standard-draft     POST own   404  404  200  404  404  404  in
assessments:answer                 standard-draft     POST other 404  404  404  404  404  404  in
assessments:answer                 standard-sent      GET  own   200  200  200  404  404  404  in
assessments:answer                 standard-sent      GET  other 200  200  404  404  404  404  in
assessments:answer                 standard-sent      POST own   403  403  403  404  404  404  in
assessments:answer                 standard-sent      POST other 403  403  404  404  404  404  in
assessments:challenge              standard-sent      GET  own   200  200  403  403  403  403  in
assessments:challenge              standard-sent      GET  other 200  200  403  403  403  403  in
assessments:challenge              standard-sent      POST own   200  200  403  403  403  403  in
assessments:challenge              standard-sent      POST other 200  200  403  403  403  403  in
assessments:respond                standard-sent      GET  own   403  403  200  404  404  404  in
assessments:respond                standard-sent      GET  other 403  403  404  404  404  404  in
assessments:respond                standard-sent      POST own   403  403  200  404  404  404  in
assessments:respond                standard-sent      POST other 403  403  404  404  404  404  in
assessments:attachment-upload      standard-draft     POST own   404  404  400  404  404  404  in
assessments:attachment-upload      standard-draft     POST other 404  404  404  404  404  404  in
assessments:action-add             standard-draft     POST own   404  404  400  404  404  404  in
assessments:action-add             standard-draft     POST other 404  404  404  404  404  404  in
assessments:attachment             attachment-draft   GET  own   404  404  200  404  404  404  in
assessments:attachment             attachment-draft   GET  other 404  404  404  404  404  404  in
assessments:attachment             attachment-sent    GET  own   200  200  200  404  404  404  in
assessments:attachment             attachment-sent    GET  other 200  200  404  404  404  404  in
assessments:attachment-remove      attachment-draft   POST own   404  404  302  404  404  404  in
assessments:attachment-remove      attachment-draft   POST other 404  404  404  404  404  404  in

# audits ------------------------------------------------------------------------------------------
# Multi-agency audits: everyone reads the audit, its cases and its learning brief; admins
# and PAQA lead it (lead_audits). A case section is its organisation's until submitted:
# its agency lead and assigned auditors complete it (section-draft: the auditor is
# assigned; section-unassigned: nobody is); submitted sections are read by the
# partnership and by the other organisations in the audit. Analysts and board members
# never see sections. Anyone who completes sections may flag a case as unsafe.
audits:home                        -                  GET  -     200  200  200  200  200  200  in
audits:audit-create                -                  GET  -     200  200  403  403  403  403  in
audits:audit-create                -                  POST -     200  200  403  403  403  403  in
audits:themes                      audit-year         GET  -     200  200  200  200  200  200  in
audits:audit                       audit              GET  -     200  200  200  200  200  200  in
audits:audit-edit                  audit              GET  -     200  200  403  403  403  403  in
audits:audit-edit                  audit              POST -     200  200  403  403  403  403  in
audits:advance                     audit              GET  -     200  200  403  403  403  403  in
audits:advance                     audit              POST -     302  302  403  403  403  403  in
audits:case-add                    audit              GET  -     200  200  403  403  403  403  in
audits:case-add                    audit              POST -     200  200  403  403  403  403  in
audits:case-select                 audit              GET  -     200  200  403  403  403  403  in
audits:case-select                 audit              POST -     200  200  403  403  403  403  in
# The key to a cohort is its lead's, once: one already downloaded (or never made) is gone.
audits:case-key                    case-key           GET  -     404  404  403  403  403  403  in
audits:case-key-download           case-key           POST -     404  404  403  403  403  403  in
audits:case                        case               GET  -     200  200  200  200  200  200  in
audits:grades                      case               GET  -     200  200  403  403  403  403  in
audits:grades                      case               POST -     200  200  403  403  403  403  in
audits:unsafe                      case               GET  -     200  200  200  200  403  403  in
audits:unsafe                      case               POST -     200  200  200  200  403  403  in
audits:resolve                     flag               GET  -     200  200  403  403  403  403  in
audits:resolve                     flag               POST -     200  200  403  403  403  403  in
audits:feedback                    case               GET  -     200  200  403  403  403  403  in
audits:feedback                    case               POST -     200  200  403  403  403  403  in
audits:finding-add                 audit              GET  -     200  200  403  403  403  403  in
audits:finding-add                 audit              POST -     200  200  403  403  403  403  in
audits:finding-action              finding            GET  -     200  200  403  403  403  403  in
audits:finding-action              finding            POST -     200  200  403  403  403  403  in
audits:brief-pdf                   audit              GET  -     200  200  200  200  200  200  in
audits:brief-docx                  audit              GET  -     200  200  200  200  200  200  in
audits:section                     section-draft      GET  own   404  404  200  200  404  404  in
audits:section                     section-draft      GET  other 404  404  404  404  404  404  in
audits:section                     section-draft      POST own   404  404  200  200  404  404  in
audits:section                     section-draft      POST other 404  404  404  404  404  404  in
audits:section                     section-unassigned GET  own   404  404  200  200  404  404  in
audits:section                     section-unassigned GET  other 404  404  404  404  404  404  in
audits:section                     section-unassigned POST own   404  404  200  403  404  404  in
audits:section                     section-unassigned POST other 404  404  404  404  404  404  in
audits:section                     section-sent       GET  own   200  200  200  200  404  404  in
audits:section                     section-sent       GET  other 200  200  200  200  404  404  in
audits:section                     section-sent       POST own   403  403  403  403  404  404  in
audits:section                     section-sent       POST other 403  403  403  403  404  404  in
# A section is submitted from its check page (a submitted one sends you to read it); with no
# check page token, nothing is sent and you are sent back to check.
audits:section-check               section-draft      GET  own   404  404  200  200  404  404  in
audits:section-check               section-draft      GET  other 404  404  404  404  404  404  in
audits:section-check               section-unassigned GET  own   404  404  200  403  404  404  in
audits:section-check               section-unassigned GET  other 404  404  404  404  404  404  in
audits:section-check               section-sent       GET  own   302  302  302  302  404  404  in
audits:section-check               section-sent       GET  other 302  302  302  302  404  404  in
audits:section-submit              section-draft      POST own   404  404  302  302  404  404  in
audits:section-submit              section-draft      POST other 404  404  404  404  404  404  in
audits:section-submit              section-unassigned POST own   404  404  302  403  404  404  in
audits:section-submit              section-unassigned POST other 404  404  404  404  404  404  in
audits:section-submit              section-sent       POST own   302  302  302  302  404  404  in
audits:section-submit              section-sent       POST other 302  302  302  302  404  404  in
audits:assign                      section-draft      GET  own   404  404  200  403  404  404  in
audits:assign                      section-draft      GET  other 404  404  404  404  404  404  in
audits:assign                      section-draft      POST own   404  404  302  403  404  404  in
audits:assign                      section-draft      POST other 404  404  404  404  404  404  in
#
# Single-agency audit returns: drafts are their organisation's agency lead's only;
# submitted ones are everyone's. Admin and PAQA review them (lead_audits).
audits:agency-list                 -                  GET  -     200  200  200  200  200  200  in
audits:agency-create               -                  GET  -     403  403  200  403  403  403  in
audits:agency-create               -                  POST -     403  403  200  403  403  403  in
audits:agency-detail               agency-audit-draft GET  own   404  404  200  404  404  404  in
audits:agency-detail               agency-audit-draft GET  other 404  404  404  404  404  404  in
audits:agency-detail               agency-audit-sent  GET  own   200  200  200  200  200  200  in
audits:agency-detail               agency-audit-sent  GET  other 200  200  200  200  200  200  in
audits:agency-edit                 agency-audit-draft GET  own   404  404  200  404  404  404  in
audits:agency-edit                 agency-audit-draft GET  other 404  404  404  404  404  404  in
audits:agency-edit                 agency-audit-draft POST own   404  404  200  404  404  404  in
audits:agency-edit                 agency-audit-draft POST other 404  404  404  404  404  404  in
audits:agency-check                agency-audit-draft GET  own   404  404  200  404  404  404  in
audits:agency-check                agency-audit-draft GET  other 404  404  404  404  404  404  in
audits:agency-submit               agency-audit-draft POST own   404  404  302  404  404  404  in
audits:agency-submit               agency-audit-draft POST other 404  404  404  404  404  404  in
audits:agency-review               agency-audit-sent  GET  own   200  200  403  403  403  403  in
audits:agency-review               agency-audit-sent  GET  other 200  200  403  403  403  403  in
audits:agency-review               agency-audit-sent  POST own   200  200  403  403  403  403  in
audits:agency-review               agency-audit-sent  POST other 200  200  403  403  403  403  in
audits:agency-action-add           agency-audit-sent  POST own   403  403  400  403  403  403  in
audits:agency-action-add           agency-audit-sent  POST other 403  403  403  403  403  403  in

# surveys -----------------------------------------------------------------------------------------
# Surveys: results and coded themes are everyone's; raw responses and coding
# (code_free_text) are admin, PAQA and analyst's; building, inviting and reminding
# (manage_surveys) are admin and PAQA's. The practitioner survey (s/...) is public.
surveys:home                       -                  GET  -     200  200  200  200  200  200  in
#
# The anonymous practitioner survey: the same for everyone, signed in or not.
surveys:public-start               public-survey      GET  -     200  200  200  200  200  200  200
surveys:public-start               public-survey      POST -     302  302  302  302  302  302  302
surveys:public-done                public-survey      GET  -     200  200  200  200  200  200  200
surveys:public-check               public-response    GET  -     302  302  302  302  302  302  302
surveys:public-check               public-response    POST -     302  302  302  302  302  302  302
surveys:public-page                public-page        GET  -     200  200  200  200  200  200  200
surveys:public-page                public-page        POST -     302  302  302  302  302  302  302
# Building and running surveys is for those who manage surveys (admin, PAQA member).
surveys:create                     -                  GET  -     200  200  403  403  403  403  in
surveys:create                     -                  POST -     200  200  403  403  403  403  in
surveys:manage                     survey             GET  -     200  200  403  403  403  403  in
surveys:manage-details             survey             GET  -     200  200  403  403  403  403  in
surveys:manage-details             survey             POST -     200  200  403  403  403  403  in
surveys:manage-schedule            survey             GET  -     200  200  403  403  403  403  in
surveys:manage-schedule            survey             POST -     200  200  403  403  403  403  in
surveys:manage-reopen              survey             GET  -     200  200  403  403  403  403  in
surveys:manage-reopen              survey             POST -     200  200  403  403  403  403  in
surveys:manage-lifecycle           survey-step        GET  -     200  200  403  403  403  403  in
surveys:manage-lifecycle           survey-step        POST -     200  200  403  403  403  403  in
surveys:page-new                   survey             GET  -     200  200  403  403  403  403  in
surveys:page-new                   survey             POST -     200  200  403  403  403  403  in
surveys:page-edit                  survey-page        GET  -     200  200  403  403  403  403  in
surveys:page-edit                  survey-page        POST -     200  200  403  403  403  403  in
surveys:question-new               survey-page        GET  -     200  200  403  403  403  403  in
surveys:question-new               survey-page        POST -     200  200  403  403  403  403  in
surveys:question-edit              question           GET  -     200  200  403  403  403  403  in
surveys:question-edit              question           POST -     200  200  403  403  403  403  in
surveys:manage-move                survey-page-item   POST -     302  302  403  403  403  403  in
surveys:manage-remove              survey-page-item   GET  -     200  200  403  403  403  403  in
surveys:manage-remove              survey-page-item   POST -     200  200  403  403  403  403  in
surveys:preview                    survey             GET  -     200  200  403  403  403  403  in
surveys:preview                    survey             POST -     200  200  403  403  403  403  in
surveys:preview-phone              survey             GET  -     200  200  403  403  403  403  in
surveys:share                      survey             GET  -     200  200  403  403  403  403  in
surveys:qr                         survey-qr          GET  -     200  200  403  403  403  403  in
surveys:export                     survey             GET  -     200  200  403  403  403  403  in
surveys:import                     -                  GET  -     200  200  403  403  403  403  in
surveys:import                     -                  POST -     200  200  403  403  403  403  in
surveys:results                    survey             GET  -     200  200  200  200  200  200  in
surveys:results-responses          survey-csv         GET  -     200  200  403  403  200  403  in
surveys:results-themes             survey-csv         GET  -     200  200  200  200  200  200  in
surveys:coding-survey              survey             GET  -     200  200  200  200  200  200  in
surveys:coding-question            question           GET  -     200  200  403  403  200  403  in
surveys:coding-question            question           POST -     200  200  403  403  200  403  in
surveys:coding-themes              question           GET  -     200  200  200  200  200  200  in
surveys:coding-quote               quote              POST -     302  302  403  403  302  403  in
#
# The impact assessment: one return per organisation, answered by its agency lead
# (impact-draft: still drafts, nobody else sees them). A sent return
# (impact-sent) is read by its organisation's agency lead and by those who run it
# for the partnership and the board: admin, PAQA, board members; agency staff of
# other roles or organisations do not find it (404). A sent return cannot be
# changed: its lead is sent to the read-only view (302), readers are refused (403).
# Sending (check, POST) needs the check page's token: without it, back to check (302).
surveys:impact-rate                impact             GET  -     200  200  200  200  200  200  in
surveys:impact-invite              impact             POST -     200  200  403  403  403  403  in
surveys:impact-remind              impact             POST -     302  302  403  403  403  403  in
surveys:impact-return              impact             GET  -     403  403  302  403  403  403  in
surveys:impact-return-organisation impact-draft       GET  own   404  404  302  404  404  404  in
surveys:impact-return-organisation impact-draft       GET  other 404  404  404  404  404  404  in
surveys:impact-return-organisation impact-sent        GET  own   302  302  302  404  404  302  in
surveys:impact-return-organisation impact-sent        GET  other 302  302  404  404  404  302  in
surveys:impact-return-page         impact-draft-page  GET  own   404  404  200  404  404  404  in
surveys:impact-return-page         impact-draft-page  GET  other 404  404  404  404  404  404  in
surveys:impact-return-page         impact-draft-page  POST own   404  404  200  404  404  404  in
surveys:impact-return-page         impact-draft-page  POST other 404  404  404  404  404  404  in
surveys:impact-return-check        impact-draft       GET  own   404  404  200  404  404  404  in
surveys:impact-return-check        impact-draft       GET  other 404  404  404  404  404  404  in
surveys:impact-return-check        impact-draft       POST own   404  404  302  404  404  404  in
surveys:impact-return-check        impact-draft       POST other 404  404  404  404  404  404  in
# A sent return's pages send whoever may read it to the sent return (302). Writing to it: its
# agency lead is sent there too (it is locked now); anyone else may never write it: 403.
# BUG: the POST rows below answer 302 (to the sent return, nothing written) for admin, PAQA,
# auditor, analyst and board member, where the policy's answer is 403 (readable, not writable).
surveys:impact-return-page         impact-sent-page   GET  own   403  403  302  404  404  403  in
surveys:impact-return-page         impact-sent-page   GET  other 403  403  404  404  404  403  in
surveys:impact-return-page         impact-sent-page   POST own   403  403  302  404  404  403  in
surveys:impact-return-page         impact-sent-page   POST other 403  403  404  404  404  403  in
surveys:impact-return-check        impact-sent        GET  own   403  403  302  404  404  403  in
surveys:impact-return-check        impact-sent        GET  other 403  403  404  404  404  403  in
surveys:impact-return-check        impact-sent        POST own   403  403  302  404  404  403  in
surveys:impact-return-check        impact-sent        POST other 403  403  404  404  404  403  in
surveys:impact-return-view         impact-draft       GET  own   404  404  302  404  404  404  in
surveys:impact-return-view         impact-draft       GET  other 404  404  404  404  404  404  in
surveys:impact-return-view         impact-sent        GET  own   200  200  200  404  404  200  in
surveys:impact-return-view         impact-sent        GET  other 200  200  404  404  404  200  in

# voice -------------------------------------------------------------------------------------------
# Children's and families' views: everyone reads them; admin and PAQA record them.
voice:list                         -                  GET  -     200  200  200  200  200  200  in
voice:create                       -                  GET  -     200  200  403  403  403  403  in
voice:create                       -                  POST -     200  200  403  403  403  403  in
voice:detail                       voice              GET  -     200  200  200  200  200  200  in
voice:edit                         voice              GET  -     200  200  403  403  403  403  in
voice:edit                         voice              POST -     200  200  403  403  403  403  in
voice:we-did                       voice              POST -     200  200  403  403  403  403  in

# escalations -------------------------------------------------------------------------------------
# Escalations: everyone reads the register. Admin and PAQA raise, link evidence, assure,
# close and re-escalate (manage_escalations); the owner organisation's agency lead
# responds, updates and adds actions (respond_escalations, own organisation: an
# escalation owned by another organisation is readable, so 403).
escalations:register               -                  GET  -     200  200  200  200  200  200  in
escalations:raise                  -                  GET  -     200  200  403  403  403  403  in
escalations:raise                  -                  POST -     200  200  403  403  403  403  in
escalations:remind                 -                  POST -     302  302  403  403  403  403  in
escalations:detail                 escalation         GET  own   200  200  200  200  200  200  in
escalations:detail                 escalation         GET  other 200  200  200  200  200  200  in
escalations:update                 escalation         GET  own   200  200  200  403  403  403  in
escalations:update                 escalation         GET  other 200  200  403  403  403  403  in
escalations:update                 escalation         POST own   200  200  200  403  403  403  in
escalations:update                 escalation         POST other 200  200  403  403  403  403  in
escalations:respond                escalation         GET  own   200  200  200  403  403  403  in
escalations:respond                escalation         GET  other 200  200  403  403  403  403  in
escalations:respond                escalation         POST own   200  200  200  403  403  403  in
escalations:respond                escalation         POST other 200  200  403  403  403  403  in
escalations:assure                 escalation         GET  own   200  200  403  403  403  403  in
escalations:assure                 escalation         GET  other 200  200  403  403  403  403  in
escalations:assure                 escalation         POST own   200  200  403  403  403  403  in
escalations:assure                 escalation         POST other 200  200  403  403  403  403  in
escalations:close                  escalation         GET  own   200  200  403  403  403  403  in
escalations:close                  escalation         GET  other 200  200  403  403  403  403  in
escalations:close                  escalation         POST own   200  200  403  403  403  403  in
escalations:close                  escalation         POST other 200  200  403  403  403  403  in
escalations:reescalate             escalation         GET  own   200  200  403  403  403  403  in
escalations:reescalate             escalation         GET  other 200  200  403  403  403  403  in
escalations:reescalate             escalation         POST own   200  200  403  403  403  403  in
escalations:reescalate             escalation         POST other 200  200  403  403  403  403  in
escalations:evidence-add           escalation         GET  own   200  200  403  403  403  403  in
escalations:evidence-add           escalation         GET  other 200  200  403  403  403  403  in
escalations:evidence-add           escalation         POST own   200  200  403  403  403  403  in
escalations:evidence-add           escalation         POST other 200  200  403  403  403  403  in
escalations:evidence-remove        evidence-link      POST own   302  302  403  403  403  403  in
escalations:evidence-remove        evidence-link      POST other 302  302  403  403  403  403  in
escalations:action-add             escalation         GET  own   200  200  200  403  403  403  in
escalations:action-add             escalation         GET  other 200  200  403  403  403  403  in
escalations:action-add             escalation         POST own   200  200  200  403  403  403  in
escalations:action-add             escalation         POST other 200  200  403  403  403  403  in

# themes ------------------------------------------------------------------------------------------
# Themes: everyone reads them; admin and PAQA write the key messages.
themes:overview-current            -                  GET  -     302  302  302  302  302  302  in
themes:overview                    year               GET  -     200  200  200  200  200  200  in
themes:theme                       theme              GET  -     200  200  200  200  200  200  in
themes:key-message-add             year               GET  -     200  200  403  403  403  403  in
themes:key-message-add             year               POST -     200  200  403  403  403  403  in

# reports -----------------------------------------------------------------------------------------
# The annual report: admin and PAQA draft it (draft_reports). To everyone else a draft
# does not exist (404): they read published versions and their exports.
reports:home                       -                  GET  -     200  200  200  200  200  200  in
reports:home                       -                  POST -     200  200  403  403  403  403  in
reports:report                     year               GET  -     302  302  302  302  302  302  in
reports:draft                      year               GET  -     200  200  404  404  404  404  in
reports:section                    report-section     GET  -     200  200  404  404  404  404  in
reports:section                    report-section     POST -     200  200  404  404  404  404  in
reports:charts                     year               GET  -     200  200  404  404  404  404  in
reports:charts                     year               POST -     302  302  404  404  404  404  in
reports:publish                    year               GET  -     200  200  404  404  404  404  in
reports:publish                    year               POST -     200  200  404  404  404  404  in
reports:version                    report-version     GET  -     200  200  200  200  200  200  in
reports:export-start               year               POST -     302  302  404  404  404  404  in
reports:export-start               year-version       POST -     302  302  302  302  302  302  in
reports:export                     export-draft       GET  -     200  200  404  404  404  404  in
reports:export                     export-version     GET  -     200  200  200  200  200  200  in
reports:export-download            export-draft       GET  -     200  200  404  404  404  404  in
reports:export-download            export-version     GET  -     200  200  200  200  200  200  in

# actions -----------------------------------------------------------------------------------------
# Action plans: admin, PAQA and board members read every action; an agency lead, auditor
# and analyst only their own organisation's. Admins change any action; an agency lead
# their own organisation's (manage_actions).
actions:list                       -                  GET  -     200  200  200  200  200  200  in
actions:detail                     action             GET  own   200  200  200  200  200  200  in
actions:detail                     action             GET  other 200  200  404  404  404  200  in
actions:edit                       action             GET  own   200  403  200  403  403  403  in
actions:edit                       action             GET  other 200  403  404  404  404  403  in
actions:edit                       action             POST own   200  403  200  403  403  403  in
actions:edit                       action             POST other 200  403  404  404  404  403  in
actions:progress                   action             GET  own   200  403  200  403  403  403  in
actions:progress                   action             GET  other 200  403  404  404  404  403  in
actions:progress                   action             POST own   200  403  200  403  403  403  in
actions:progress                   action             POST other 200  403  404  404  404  403  in
actions:complete                   action             GET  own   200  403  200  403  403  403  in
actions:complete                   action             GET  other 200  403  404  404  404  403  in
actions:complete                   action             POST own   200  403  200  403  403  403  in
actions:complete                   action             POST other 200  403  404  404  404  403  in
actions:cancel                     action             GET  own   200  403  200  403  403  403  in
actions:cancel                     action             GET  other 200  403  404  404  404  403  in
actions:cancel                     action             POST own   200  403  200  403  403  403  in
actions:cancel                     action             POST other 200  403  404  404  404  403  in
"""

#: What a POST sends (by route, or by route and target), where an empty POST would not show
#: whether the person was let in.
POST_DATA: dict[str | tuple[str, str], dict[str, Any]] = {
    "surveys:coding-question": {"action": "add-code"},  # with no name for the code
    "surveys:coding-quote": {"representative": "1"},
    "reports:export-start": {"format": "html"},  # of the draft
    ("reports:export-start", "year-version"): {"format": "html", "version": "1"},
    # A note too long: refused with the form shown again, rather than publishing a version.
    "reports:publish": {"note": "x" * 501},
}


@dataclass(frozen=True)
class Row:
    route: str
    target: str
    method: str
    side: str
    expect: dict[str, str]

    def label(self) -> str:
        return f"{self.route} {self.method} {self.side}"


def _parse(text: str, columns: tuple[str, ...]) -> list[Row]:
    rows = []
    for number, line in enumerate(text.splitlines(), start=1):
        line = line.split("#", 1)[0].strip()
        if not line:
            continue
        route, target, method, side, *answers = line.split()
        if len(answers) != len(columns):
            raise ValueError(f"Line {number} ({route}) has {len(answers)} answers")
        if method not in ("GET", "POST") or side not in (OWN, OTHER, ANY):
            raise ValueError(f"Line {number} ({route}): method or side is wrong")
        unknown = set(answers) - ANSWERS
        if unknown:
            raise ValueError(f"Line {number} ({route}): unknown answers {unknown}")
        rows.append(Row(route, target, method, side, dict(zip(columns, answers, strict=True))))
    return rows


MATRIX = _parse(MATRIX_TEXT, ROLE_COLUMNS)


# The API, under /api/v1/: an organisation's key, not a person's session. Columns: no key; the
# Police Agency's key ("own": the Police Agency is the source of the indicator sent); the Health
# Agency's key; a revoked key; the partnership admin's signed-in session with no key. 401: no
# valid key; 403: a key sending figures its organisation is not the source of.
API_COLUMNS = ("nokey", "police", "health", "revoked", "session")
API_MATRIX_TEXT = """
# route            target how  side  nokey police health revoked session
api:schema         -      GET  -     200   200    200    200     200
api:indicators     -      GET  -     401   200    200    401     401
api:observations   -      POST -     401   200    403    401     401
"""
API_MATRIX = _parse(API_MATRIX_TEXT, API_COLUMNS)

API_BODY = {
    "observations": [
        {
            "indicator": "missing-three-times",
            "area": "E10000025",
            "period": "2018-19",
            "value": 12,
            "numerator": None,
            "denominator": None,
            "status": "final",
            "note": "",
        }
    ]
}


# Every route -----------------------------------------------------------------------------------


def _walk(resolver: URLResolver, prefix: str = "", namespace: str = ""):
    """Every route's name (as in tests/core/test_login_required.py); an unnamed one by its path."""
    for entry in resolver.url_patterns:
        if isinstance(entry, URLResolver):
            child = namespace
            if entry.namespace:
                child = f"{namespace}:{entry.namespace}" if namespace else entry.namespace
            yield from _walk(entry, prefix + str(entry.pattern), child)
        elif isinstance(entry, URLPattern):
            if not entry.name:
                yield f"(unnamed: /{prefix}{entry.pattern})"
            else:
                yield f"{namespace}:{entry.name}" if namespace else entry.name


ALL_ROUTES = sorted(set(_walk(get_resolver())))
ROWS_BY_ROUTE: dict[str, list[Row]] = defaultdict(list)
for _row in MATRIX + API_MATRIX:
    ROWS_BY_ROUTE[_row.route].append(_row)


def test_every_route_has_a_row():
    missing = [route for route in ALL_ROUTES if route not in ROWS_BY_ROUTE]
    assert missing == [], "Routes with no row in the access matrix: " + ", ".join(missing)


def test_every_row_is_a_route():
    gone = sorted(set(ROWS_BY_ROUTE) - set(ALL_ROUTES))
    assert gone == [], "Rows for routes that no longer exist: " + ", ".join(gone)


def test_no_row_is_given_twice():
    seen: dict[tuple[str, str, str, str], int] = defaultdict(int)
    for row in MATRIX + API_MATRIX:
        seen[(row.route, row.target, row.method, row.side)] += 1
    assert [key for key, count in seen.items() if count > 1] == []


def test_an_organisations_record_is_asked_about_from_both_sides(access_world: World):
    """A route about an organisation's record has own and other rows for each method."""
    lopsided = []
    for row in MATRIX + API_MATRIX:
        sides = set(access_world.targets[row.target])
        asked = {
            other.side
            for other in ROWS_BY_ROUTE[row.route]
            if (other.target, other.method) == (row.target, row.method)
        }
        if asked != sides:
            lopsided.append(f"{row.label()} ({row.target}: asked {asked}, has {sides})")
    assert lopsided == []


# Asking ------------------------------------------------------------------------------------------


SIGN_IN = reverse_lazy("accounts:sign-in")


def _answer(response: Any) -> str:
    status = response.status_code
    location = urlsplit(response.get("Location", "")).path
    if 300 <= status < 400 and location == str(SIGN_IN):
        return "in"
    return str(status)


def _ask(client: Client, method: str, url: str, data: Any = None, **headers: Any) -> str:
    """One request, undone afterwards: its writes are rolled back and the client's cookies put
    back, so every cell starts from the same records and the same signed-in session."""
    cookies = copy.deepcopy(client.cookies)
    try:
        with transaction.atomic():
            try:
                if method == "GET":
                    response = client.get(url, **headers)
                elif isinstance(data, str):
                    response = client.post(
                        url, data=data, content_type="application/json", **headers
                    )
                else:
                    response = client.post(url, data=data or {}, **headers)
                # The test client has closed the response already, with the signal that
                # would close the database connection disconnected: never close it again here.
                answer = _answer(response)
            except Exception as error:  # a crash is an answer too: report it in the table
                answer = f"crashed ({type(error).__name__}: {error})"
            transaction.set_rollback(True)
    finally:
        client.cookies = cookies
    return answer


WHO = {
    "adm": "partnership admin (Business Unit)",
    "paqa": "PAQA member (Business Unit)",
    "lead": "agency lead (Police Agency)",
    "aud": "auditor (Police Agency)",
    "anl": "analyst (Police Agency)",
    "brd": "board member (Business Unit)",
    "anon": "visitor not signed in",
    "nokey": "no API key",
    "police": "the Police Agency's API key",
    "health": "the Health Agency's API key",
    "revoked": "a revoked API key",
    "session": "the partnership admin's session, no API key",
}
WHOSE = {
    OWN: "own organisation's record (Police Agency)",
    OTHER: "other organisation's record (Health Agency)",
    ANY: "no one organisation's record",
}


def _mismatches(rows: list[Row], asks: Any) -> list[str]:
    found = []
    for row in rows:
        for column, expected in row.expect.items():
            actual = asks(row, column)
            if actual != expected:
                found.append(
                    f"{row.route} {row.method}, {WHOSE[row.side]} [{row.target}], "
                    f"as {WHO[column]}: expected {expected}, got {actual}"
                )
    return found


@pytest.fixture
def fresh_limits():
    """Throttles and rate limits count in the cache: each route starts with none used."""
    cache.clear()
    yield
    cache.clear()


def _pdf_stub(**_: Any) -> bytes:
    return b"%PDF-1.7\n% made by the access matrix's stub\n"


@pytest.fixture
def no_pdf_rendering(monkeypatch):
    """PDFs are not drawn: who may have one is decided before drawing it, and drawing takes
    seconds (or, with no WeasyPrint on the machine, turns into a redirect)."""
    monkeypatch.setattr("paqa.assessments.views.render_pdf", _pdf_stub)
    monkeypatch.setattr("paqa.audits.views.render_pdf", _pdf_stub)


@pytest.mark.parametrize("route", sorted({row.route for row in MATRIX}))
def test_route_answers_as_the_matrix_says(
    access_world: World, db, fresh_limits, no_pdf_rendering, route
):
    def asks(row: Row, column: str) -> str:
        url = reverse(row.route, args=access_world.targets[row.target][row.side])
        data = POST_DATA.get((row.route, row.target), POST_DATA.get(row.route))
        return _ask(access_world.clients[column], row.method, url, data)

    mismatches = _mismatches(ROWS_BY_ROUTE[route], asks)
    assert mismatches == [], "\n".join(mismatches)


@pytest.mark.parametrize("route", sorted({row.route for row in API_MATRIX}))
def test_api_route_answers_as_the_matrix_says(access_world: World, db, fresh_limits, route):
    keys = access_world.api_keys

    def asks(row: Row, column: str) -> str:
        url = reverse(row.route, args=access_world.targets[row.target][row.side])
        client = access_world.clients["adm" if column == "session" else "anon"]
        headers = {}
        if column in keys:
            headers["HTTP_AUTHORIZATION"] = f"Bearer {keys[column]}"
        return _ask(client, row.method, url, json.dumps(API_BODY), **headers)

    mismatches = _mismatches([row for row in API_MATRIX if row.route == route], asks)
    assert mismatches == [], "\n".join(mismatches)
