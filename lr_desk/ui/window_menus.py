"""The desk's menus: Desk (people, who is at the desk, sync), Go (the sections and the
open record), Directory (import from an Open Referral UK feed) and Help (the keyboard
shortcuts, where the data is, About)."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QAction, QKeySequence

from lr_desk.ui import style


class MenusMixin:
    """Mixed into MainWindow: the actions call its methods."""

    def _menus(self) -> None:
        desk_menu = self.menuBar().addMenu("&Desk")
        go_menu = self.menuBar().addMenu("&Go")

        def action(text, shortcut, slot, menu=desk_menu):
            a = QAction(text, self)
            if isinstance(shortcut, list):  # the first is the one shown
                a.setShortcuts([QKeySequence(k) for k in shortcut])
            elif shortcut:
                a.setShortcut(QKeySequence(shortcut))
            a.triggered.connect(slot)
            menu.addAction(a)
            return a

        self.find_action = action("&Find a person", QKeySequence.StandardKey.Find, self.find)
        self.new_action = action("&New person", QKeySequence.StandardKey.New,
                                 self._new_person_from_search)
        # (these work while the desk is opening)
        action("&Today", "Ctrl+1", lambda: self.tabs.setCurrentIndex(0), go_menu)
        action("&People", "Ctrl+2", lambda: self.tabs.setCurrentIndex(1), go_menu)
        action("&Directory", "Ctrl+3", lambda: self.tabs.setCurrentIndex(2), go_menu)
        action("Needs &review", "Ctrl+4", lambda: hasattr(self, "review") and
               self.tabs.setCurrentWidget(self.review), go_menu)
        self.audit_action = action("A&udit log", "Ctrl+5", lambda: self.show_audit(), go_menu)
        self.audit_person_action = action("W&ho has looked at this record", "Ctrl+Shift+5",
                                          lambda: self.show_audit(of_current_person=True),
                                          go_menu)
        self.reports_action = action("R&eports", "Ctrl+6", lambda: self.show_reports(), go_menu)
        for a in (self.audit_action, self.audit_person_action, self.reports_action):
            a.setVisible(False)  # for managers: see _audit_access
        go_menu.addSeparator()
        action("&Close this record", ["Ctrl+W", QKeySequence.StandardKey.Close],
               lambda: self._close_tab(self.tabs.currentIndex()), go_menu)
        self.lock_action = action("&Lock the desk", "Ctrl+L", self.lock)
        self.switch_action = action("S&witch user…", "Ctrl+Shift+L", self.switch_user)
        self.password_action = action("Change my pass&word…", None, self.change_password)
        self.site_action = action("Where this desk &is…", None, self.change_site)
        self.accounts_action = action("Acc&ounts…", None, self.manage_accounts)
        self.account_actions = (self.lock_action, self.switch_action, self.password_action,
                                self.site_action, self.accounts_action)
        for a in self.account_actions:
            a.setEnabled(False)
        desk_menu.addSeparator()
        self.sync_action = action("&Sync now", "F5", lambda: self.sync and self.sync.sync_now())
        self.stop_sync_action = action("Sto&p syncing", "Shift+F5",
                                       lambda: self.sync and self.sync.stop())
        self.sync_settings_action = action("Sync sett&ings…", None, self.sync_settings)
        self.sync_actions = (self.sync_action, self.stop_sync_action, self.sync_settings_action)
        desk_menu.addSeparator()
        action("&Quit", QKeySequence.StandardKey.Quit, self.close)
        # (no Alt letter of its own: each of Directory's is taken on some page, and a
        # clash makes both keys do nothing; reached from the next menu with the arrows)
        directory_menu = self.menuBar().addMenu("Directory")
        self.import_directory_action = action("&Import from a feed…", "Ctrl+Shift+I",
                                              self.import_directory, directory_menu)
        help_menu = self.menuBar().addMenu("&Help")
        self.shortcuts_action = action("&Keyboard shortcuts", "F1", self.show_shortcuts,
                                       help_menu)
        action("Where is my &data?", None, self._where, help_menu)
        action(f"&About {style.TITLE}", None, self.show_about, help_menu)

    def show_shortcuts(self):
        from lr_desk.ui.help import ShortcutsDialog

        dialog = ShortcutsDialog(self)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.open()
        return dialog

    def import_directory(self):
        """Directory > Import…: partners and services from an Open Referral UK feed."""
        from lr_desk.ui.directory_import import DirectoryImportDialog

        if getattr(self, "tasks", None) is None:
            return None  # the desk is still opening
        dialog = DirectoryImportDialog(self.tasks, self)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.open()
        return dialog

    def show_about(self):
        from lr_desk.ui.help import AboutDialog

        dialog = AboutDialog(self)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.open()
        return dialog

