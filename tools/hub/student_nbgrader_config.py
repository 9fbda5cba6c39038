"""nbgrader configuration of the students' servers on a course JupyterHub.

Put it in the students' Jupyter config folder (for example /etc/jupyter/nbgrader_config.py, or the
folder the spawner names in JUPYTER_CONFIG_DIR). It names the course and the exchange folder
every student and the instructor share (NNLABS_EXCHANGE, as in the course's nbgrader_config.py).

Where every student runs as the same system user (SimpleLocalProcessSpawner, some container
setups), nbgrader cannot tell students apart by their system user: the student is then the hub's
user, JUPYTERHUB_USER. On a hub with a system user per student, delete that line.
"""
import os

c = get_config()  # noqa: F821 (injected by traitlets)

c.CourseDirectory.course_id = "nn-training-labs"
c.Exchange.root = os.environ.get("NNLABS_EXCHANGE", "/srv/nbgrader/exchange")
c.Exchange.path_includes_course = True
c.CourseDirectory.student_id = os.environ["JUPYTERHUB_USER"]
