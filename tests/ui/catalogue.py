"""Every page and dialog of the desk, and how the desk opens each: shared by the fit
tests (tests/ui/test_fits.py) and the picture-maker (scripts/render_pages.py).

A ``Stage`` is a demo desk signed in as its admin (who sees every menu). Each
``Opening`` opens one page or dialog on it the way a user would (a menu action, a button
on a page, a row chosen first) where that is practical, and says which button is its
main one. ``Stage.tidy()`` closes what was opened, dropping anything typed.

Dialogs the desk only ever shows with ``exec()`` (the recovery dialog, the recovery key)
would block a test, so those are built as their caller builds them and then opened.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from PySide6.QtWidgets import QAbstractButton, QLabel, QPushButton, QWidget

from lr_desk.resources import load_json
from lr_desk.services import accounts
from lr_desk.services.signin import Gate
from lr_desk.ui.erase import ask_erase
from lr_desk.ui.gp_export import open_gp_export
from lr_desk.ui.service_gap import GapNotes, ServiceGapDialog
from lr_desk.ui.signin import RecoveryDialog, RecoveryKeyDialog, SetUpDialog, SignInDialog
from tests.ui.stage import Stage, wait

__all__ = ["CATALOGUE", "DIALOGS", "NOT_DIALOGS", "PAGES", "Opening", "Stage", "clipped_text",
           "wait"]


# -- the catalogue ----------------------------------------------------------------------


@dataclass(frozen=True)
class Opening:
    name: str  # the test's id, and the picture's file name
    shows: str  # the class of what it opens
    open: Callable[[Stage], QWidget]  # opens it on the stage; returns it
    main: Callable[[QWidget], QAbstractButton | None]  # its main button
    owner: str  # the file that builds it (lr_desk/ui/...)
    page: bool = False  # a page of the main window (fits are the window's)


def _attr(name: str) -> Callable[[QWidget], QAbstractButton]:
    return lambda w: getattr(w, name)


def default_button(w: QWidget) -> QAbstractButton | None:
    """The button Enter presses in a dialog."""
    return next((b for b in w.findChildren(QPushButton) if b.isDefault()), None)


def _close_button(w: QWidget) -> QAbstractButton | None:
    return next((b for b in w.findChildren(QAbstractButton)
                 if b.accessibleName() == "Close"), None)


def _section(title: str) -> Callable[[Stage], QWidget]:
    return lambda stage: stage.section(title)


def _menu(text: str) -> Callable[[Stage], QWidget]:
    return lambda stage: stage.dialog_from(stage.action(text).trigger)


def _person_button(button: str, row: Callable[[object], bool] | None = None):
    def open_(stage: Stage) -> QWidget:
        page = stage.person()
        if row is not None:
            stage.choose_row(page, row)
        return stage.dialog_from(getattr(page, button).click)
    return open_


def _person_action(action: str):
    def open_(stage: Stage) -> QWidget:
        page = stage.person()
        return stage.dialog_from(getattr(page, action).trigger)
    return open_


def _people(stage: Stage) -> QWidget:
    """People, with what Find turns up for a few letters typed (Ctrl+F, then typing)."""
    stage.action("Find a person").trigger()
    page = stage.window.people
    # the first letters of someone's family name (the demo's people change with the date)
    someone = min(stage.desk.search.index.entries.values(), key=lambda e: e.person_id)
    stage.window.query.setText(someone.family_name[:3].lower())
    wait(lambda: page.model.rowCount() > 0, 20, "people found")
    stage.idle()
    return page


def _person(stage: Stage) -> QWidget:
    return stage.person()


def _erase_for_an_advisor(stage: Stage) -> QWidget:
    """Erase as an advisor meets it: a manager's approval is asked for as well."""
    page = stage.person()
    advisor = stage._run(lambda s: accounts.find(s, "advisor")[0].id)
    return stage.dialog_from(lambda: ask_erase(page, page.tasks, page.person_id, advisor))


def _sheet(stage: Stage) -> QWidget:
    page = stage.person()
    stage.choose_row(page, lambda e: e.prescription_id)
    preview = stage.dialog_from(page.sheet_button.click)
    wait(lambda: preview.pdf is not None, 30, "the sheet")
    stage.idle()
    return preview


def _service_gap(stage: Stage) -> QWidget:
    """From a drop-in with a need ticked, its No suitable service… button."""
    dropin = _person_button("dropin_button")(stage)
    next(iter(dropin.needs.boxes.values())).setChecked(True)
    notes = dropin.findChild(GapNotes)
    return stage.dialog_from(notes.button.click, ServiceGapDialog)


def _drop_in_questions(stage: Stage) -> QWidget:
    """The drop-in on its page of wellbeing questions (Alt+Q there)."""
    dialog = _person_button("dropin_button")(stage)
    dialog.pages.setCurrentIndex(1)
    stage.idle()
    return dialog


def _follow_up_questions(stage: Stage) -> QWidget:
    """Follow-up done with its wellbeing questions open (Wellbeing questions…)."""
    step = _person_button("follow_up_button", lambda e: e.follow_up_id and e.open)(stage)
    step.wellbeing.button.click()
    stage.idle()
    return step


def _letter(stage: Stage) -> QWidget:
    """The referral letter for a referral that went to the partner (sent, so with the
    person's consent to share), from its row in the history."""
    page = stage.person()
    stage.choose_row(page, lambda e: e.referral_id and e.referral_status not in
                     ("suggested", "agreed"))
    preview = stage.dialog_from(page.letter_button.click)
    wait(lambda: preview.pdf is not None, 30, "the letter")
    stage.idle()
    return preview


def _accounts(stage: Stage) -> QWidget:
    dialog = stage.dialog_from(stage.action("Accounts").trigger)
    wait(lambda: dialog.rows, 20, "the accounts")
    return dialog


def _new_account(stage: Stage) -> QWidget:
    accounts = _accounts(stage)
    return stage.dialog_from(accounts.buttons["new"].click)


def _reset_password(stage: Stage) -> QWidget:
    accounts = _accounts(stage)
    row = next(i for i, r in enumerate(accounts.rows) if r[0] != accounts.me and r[2])
    accounts.table.selectRow(row)
    return stage.dialog_from(accounts.buttons["password"].click)


def _directory(button: str):
    def open_(stage: Stage) -> QWidget:
        page = stage.section("Directory")
        wait(lambda: page.partners, 20, "the directory")
        return stage.dialog_from(getattr(page, button).click)
    return open_


def _contact(stage: Stage) -> QWidget:
    """A partner's form (New partner), then Add contact on it."""
    partner = _directory("add_partner_button")(stage)
    return stage.dialog_from(partner.contacts.add_button.click)


def _partner(stage: Stage) -> QWidget:
    """A partner's page: its service chosen in the directory, then Open partner page."""
    page = stage.section("Directory")
    wait(lambda: page.partners, 20, "the directory")
    page.services_table.selectRow(0)
    page.partner_page_button.click()
    partner = stage.window.tabs.currentWidget()
    wait(lambda: getattr(partner, "figures", None) is not None, 20, "the partner's figures")
    stage.idle()
    return partner


def _awaiting(button: str):
    """Today's "Awaiting reply" (everyone's): its first referral chosen, then the button."""
    def open_(stage: Stage) -> QWidget:
        page = stage.section("Today")
        page.scope.setCurrentIndex(page.scope.findData("all"))  # (the demo's, anywhere)
        wait(lambda: page.replies.model.rows, 20, "referrals awaiting a reply")
        page.replies.table.selectRow(0)
        return stage.dialog_from(getattr(page.replies, button).click)
    return open_


def _merge(stage: Stage) -> QWidget:
    page = stage.pair_page()
    return stage.dialog_from(page.merge_button.click)


def _undo_merge(stage: Stage) -> QWidget:
    """Merge a pair (as Needs review does), then Undo merge on the kept record's page."""
    merge = _merge(stage)
    kept, _merged = merge.chosen()
    merge.merge_button.click()
    stage.idle()
    page = stage.window.open_person(kept)
    wait(lambda: page.view is not None and page.undo_merge_button.isVisible(), 20,
         "Undo merge on the kept record")
    stage.opened.append(page)  # (its tab closes when tidied)
    return stage.dialog_from(page.undo_merge_button.click)


def _sign_in(stage: Stage) -> QWidget:
    dialog = SignInDialog(Gate(stage.folder), stage.window, demo=True)  # as Startup does
    return stage.dialog_from(dialog.open)


def _set_up(stage: Stage, folder: str = "new-desk") -> QWidget:
    sites = {r["code"]: r["name"] for r in load_json("reference.json")["sites"]}
    dialog = SetUpDialog(Gate(stage.scratch / folder), sites, stage.window)  # as Startup
    return stage.dialog_from(dialog.open)


def _recovery(stage: Stage) -> QWidget:
    sign_in = _sign_in(stage)  # its "Use the recovery key…" builds this one and exec()s it
    return stage.dialog_from(RecoveryDialog(sign_in.gate, sign_in).open)


def _recovery_key(stage: Stage) -> QWidget:
    set_up = _set_up(stage)  # shown by it, once the desk is set up (with exec())
    key = "-".join(["ABCD"] * 8)
    return stage.dialog_from(RecoveryKeyDialog(key, set_up).open)


def _reports(stage: Stage) -> QWidget:
    """Reports, with the onward referrals of the last quarter shown (Show)."""
    page = stage.section("Reports")
    shown: list = []
    page.finished.connect(shown.append)
    try:
        page.show_button.click()
        wait(lambda: shown, 60, "the report")
    finally:
        page.finished.disconnect(shown.append)
    stage.idle()
    return page


def _gp_export(stage: Stage) -> QWidget:
    """The GP referrals file (the Reports page's button calls this)."""
    window = stage.window
    return stage.dialog_from(lambda: open_gp_export(window, window.tasks, window.desk))


def _locked(stage: Stage) -> QWidget:
    stage.action("Lock the desk").trigger()
    stage.idle()
    return stage.window.lock_page


PAGES = (
    Opening("today", "TodayPage", _section("Today"), _attr("done_button"),
            "lr_desk/ui/today.py", page=True),
    Opening("people", "PeoplePage", _people, _attr("new_button"),
            "lr_desk/ui/people.py", page=True),
    Opening("directory", "DirectoryPage", _section("Directory"), _attr("add_partner_button"),
            "lr_desk/ui/directory.py", page=True),
    Opening("needs-review", "ReviewPage", _section("Needs review"), _attr("refresh_button"),
            "lr_desk/ui/review.py", page=True),
    Opening("audit-log", "AuditPage", _section("Audit log"), _attr("show_button"),
            "lr_desk/ui/audit.py", page=True),
    Opening("person", "PersonPage", _person, _attr("dropin_button"), "lr_desk/ui/person.py",
            page=True),
    Opening("locked", "LockPage", _locked, _attr("unlock_button"), "lr_desk/ui/lock.py",
            page=True),
    Opening("partner-page", "PartnerPage", _partner, _attr("record_button"),
            "lr_desk/ui/partner_page.py", page=True),
    Opening("reports", "ReportsPage", _reports, _attr("show_button"),
            "lr_desk/ui/reports_page.py", page=True),
)

DIALOGS = (
    Opening("drop-in", "DropInDialog", _person_button("dropin_button"), _attr("save_button"),
            "lr_desk/ui/dropin.py"),
    Opening("service-gap", "ServiceGapDialog", _service_gap, _attr("note_button"),
            "lr_desk/ui/service_gap.py"),
    Opening("person-form-new", "PersonDialog", _menu("New person"), _attr("save_button"),
            "lr_desk/ui/people.py"),
    Opening("person-form-edit", "PersonDialog", _person_button("edit_button"),
            _attr("save_button"), "lr_desk/ui/people.py"),
    Opening("consent", "ConsentDialog", lambda s: s.dialog_from(
        s.person().consent.record_button.click), _attr("save_button"), "lr_desk/ui/consent.py"),
    Opening("referral-step", "StepDialog",
            _person_button("referral_button", lambda e: e.referral_id),
            _attr("save_button"), "lr_desk/ui/person_steps.py"),
    Opening("follow-up-step", "StepDialog",
            _person_button("follow_up_button", lambda e: e.follow_up_id and e.open),
            _attr("save_button"), "lr_desk/ui/person_steps.py"),
    Opening("drop-in-wellbeing", "DropInDialog", _drop_in_questions, _attr("save_button"),
            "lr_desk/ui/dropin_wellbeing.py"),
    Opening("follow-up-wellbeing", "StepDialog", _follow_up_questions, _attr("save_button"),
            "lr_desk/ui/wellbeing_section.py"),
    Opening("chase", "StepDialog", _awaiting("chase_button"), _attr("save_button"),
            "lr_desk/ui/person_steps.py"),
    Opening("refer-elsewhere", "ReferElsewhereDialog", _awaiting("elsewhere_button"),
            _attr("save_button"), "lr_desk/ui/today_elsewhere.py"),
    Opening("sheet-preview", "SheetPreview", _sheet, _attr("print_button"), "lr_desk/ui/sheet.py"),
    Opening("referral-letter", "LetterPreview", _letter, _attr("print_button"),
            "lr_desk/ui/letter.py"),
    Opening("export", "ExportDialog", _person_action("export_action"), _attr("export_button"),
            "lr_desk/ui/rights.py"),
    Opening("erase", "EraseDialog", _person_action("erase_action"), _attr("erase_button"),
            "lr_desk/ui/erase.py"),
    Opening("erase-for-an-advisor", "EraseDialog", _erase_for_an_advisor,
            _attr("erase_button"), "lr_desk/ui/erase.py"),
    Opening("retention-review", "RetentionDialog", _menu("People due for review"),
            _attr("open_button"), "lr_desk/ui/rights.py"),
    Opening("merge", "MergeDialog", _merge, _attr("merge_button"), "lr_desk/ui/review_merge.py"),
    Opening("undo-merge", "UndoMergeDialog", _undo_merge, _attr("undo_button"),
            "lr_desk/ui/review_merge.py"),
    Opening("partner", "PartnerDialog", _directory("add_partner_button"), _attr("save_button"),
            "lr_desk/ui/directory_editors.py"),
    Opening("service", "ServiceDialog", _directory("add_service_button"), _attr("save_button"),
            "lr_desk/ui/directory_service_form.py"),
    Opening("contact", "ContactDialog", _contact, _attr("ok"),
            "lr_desk/ui/directory_contacts.py"),
    Opening("course", "CourseDialog", _directory("add_course_button"), _attr("save_button"),
            "lr_desk/ui/directory_editors.py"),
    Opening("catch-up", "CatchupDialog", lambda s: s.dialog_from(_partner(s).record_button.click),
            _attr("save_button"), "lr_desk/ui/catchups.py"),
    Opening("directory-import", "DirectoryImportDialog", _menu("Import from a feed"),
            _attr("import_button"), "lr_desk/ui/directory_import.py"),
    Opening("accounts", "AccountsDialog", _accounts, lambda w: w.buttons["new"],
            "lr_desk/ui/accounts.py"),
    Opening("new-account", "NewAccountDialog", _new_account, _attr("ok"),
            "lr_desk/ui/accounts.py"),
    Opening("reset-password", "ResetPasswordDialog", _reset_password, _attr("ok"),
            "lr_desk/ui/accounts.py"),
    Opening("change-password", "ChangePasswordDialog", _menu("Change my password"),
            _attr("ok"), "lr_desk/ui/accounts.py"),
    Opening("where-this-desk-is", "SiteDialog", _menu("Where this desk is"), _attr("ok"),
            "lr_desk/ui/accounts.py"),
    Opening("sync-settings", "SyncSettingsDialog", _menu("Sync settings"), _attr("save_button"),
            "lr_desk/ui/sync_settings.py"),
    Opening("set-aside", "SetAsideDialog", _menu("Changes set aside"), _close_button,
            "lr_desk/ui/set_aside.py"),
    Opening("keyboard-shortcuts", "ShortcutsDialog", _menu("Keyboard shortcuts"), _close_button,
            "lr_desk/ui/help.py"),
    Opening("about", "AboutDialog", _menu("About"), _close_button, "lr_desk/ui/help.py"),
    Opening("sign-in", "SignInDialog", _sign_in, _attr("sign_in_button"),
            "lr_desk/ui/signin.py"),
    Opening("set-up", "SetUpDialog", _set_up, default_button, "lr_desk/ui/signin.py"),
    Opening("recovery", "RecoveryDialog", _recovery, default_button, "lr_desk/ui/signin.py"),
    Opening("gp-export", "GpExportDialog", _gp_export, _attr("make_button"),
            "lr_desk/ui/gp_export.py"),
    Opening("recovery-key", "RecoveryKeyDialog", _recovery_key, _attr("done_button"),
            "lr_desk/ui/signin.py"),
)

CATALOGUE = PAGES + DIALOGS
def clipped_text(root: QWidget) -> list[str]:
    """Words on show in ``root`` cut short: a wrapped label shorter than its lines, a
    label, a button, a tick box or a choice narrower than its words."""
    found = []
    for w in [root, *root.findChildren(QWidget)]:
        if not w.isVisibleTo(root) or w.width() <= 0:
            continue
        if isinstance(w, QLabel) and w.text().strip():
            need = w.heightForWidth(w.width()) if w.wordWrap() else -1
            if need > w.height() + 1:
                found.append(f"{w.text()[:40]!r}: {w.height()} px high, needs {need}")
            elif not w.wordWrap() and w.width() + 1 < w.sizeHint().width():
                found.append(f"{w.text()[:40]!r}: {w.width()} px wide, needs "
                             f"{w.sizeHint().width()}")
        elif isinstance(w, QAbstractButton) and w.text() and \
                w.width() + 1 < w.sizeHint().width():  # (a tick box's or a choice's words too)
            found.append(f"button {w.text()!r}: {w.width()} px wide, needs "
                         f"{w.sizeHint().width()}")
    return found


# the bases of dialogs, never shown by themselves
NOT_DIALOGS = {"SmallForm", "_TaskForm", "EditorDialog", "DirectoryEditor",
               "PdfPreview"}  # (the base of SheetPreview and LetterPreview)
