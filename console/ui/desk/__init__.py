"""The desk: the supervisor's and investigator's view of the same application.

Every desk view takes a :class:`~console.ui.desk.context.DeskContext` (store, signed-in
session, audit log, background runner) and nothing global. Permission checks live in the
services; views only ask before offering an action.
"""
