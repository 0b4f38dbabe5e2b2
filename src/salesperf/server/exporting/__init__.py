"""Files of exported rows, as the viewer reads them: which columns a file has and how each is
written (`columns`), CSV streamed batch by batch and Excel written in constant memory
(`files`), and Excel exports made in the background with their progress (`jobs`)."""
