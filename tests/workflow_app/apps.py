from django.apps import AppConfig


class WorkflowAppConfig(AppConfig):
    """A test-only app with a small state machine, to test the shared workflow helper."""

    name = "tests.workflow_app"
    label = "workflow_app"
